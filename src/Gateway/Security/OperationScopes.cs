using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;

namespace Herald.Gateway.Security;

/// <summary>
/// The scope each operation needs, read from the HTTP routes themselves: an entry grain method named like a route
/// (its <see cref="AliasAttribute"/> is the route's name) needs that route's scope. So the scopes live in one place,
/// the route table, and the Orleans entry grain cannot drift from REST.
/// </summary>
public sealed class OperationScopes(EndpointDataSource routes)
{
    private readonly Lazy<FrozenDictionary<string, string>> _byRouteName = new(() => routes.Endpoints
        .Select(e => (Name: e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName, Scope: e.Metadata.GetMetadata<RequiredScope>()?.Scope))
        .Where(e => e is { Name: not null, Scope: not null })
        .ToFrozenDictionary(e => e.Name!, e => e.Scope!, StringComparer.Ordinal));

    private readonly ConcurrentDictionary<MethodInfo, string> _byMethod = new();

    /// <summary>The scope of the route named by <paramref name="method"/>'s alias; an operation without one is a bug, refused loudly.</summary>
    public string For(MethodInfo method) => _byMethod.GetOrAdd(method, m =>
    {
        var name = m.GetCustomAttribute<AliasAttribute>()?.Alias
                   ?? throw new InvalidOperationException($"{m.DeclaringType?.Name}.{m.Name} has no [Alias] naming the HTTP route whose scope it needs.");
        return _byRouteName.Value.TryGetValue(name, out var scope)
            ? scope
            : throw new InvalidOperationException($"{m.DeclaringType?.Name}.{m.Name} is aliased '{name}', but no HTTP route of that name requires a scope.");
    });
}
