using System.Reflection;
using Herald.Contracts;
using Orleans.Runtime;

namespace Herald.Gateway.Security;

/// <summary>
/// The API's keys and scopes applied to a call on <see cref="IHeraldApiGrain"/>: the caller's key comes with the call
/// (<see cref="ApiCredential.RequestContextKey"/>), the scope from the route of the same name, and the rule from
/// <see cref="ScopeFilter"/>, so a refusal reads exactly as REST's 401 or 403 does.
/// </summary>
public sealed class EntryGrainAccess(ApiKeyAuthenticator authenticator, OperationScopes scopes)
{
    private const string HowToSend = "the MCP bridge sends the key in Herald__ApiKey";

    /// <summary>The refusal for a call on <paramref name="method"/>, or null to let it run. Takes the key out of the request context either way.</summary>
    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal(MethodInfo method)
    {
        var token = RequestContext.Get(ApiCredential.RequestContextKey) as string;
        RequestContext.Remove(ApiCredential.RequestContextKey);
        return ScopeFilter.Refusal(authenticator, token, scopes.For(method), HowToSend, out _);
    }
}
