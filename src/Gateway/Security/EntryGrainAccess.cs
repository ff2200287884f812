using System.Reflection;
using Herald.Contracts;
using Herald.Infrastructure.Security;

namespace Herald.Gateway.Security;

/// <summary>
/// The API's keys and scopes applied to a call on <see cref="IHeraldApiGrain"/>: the caller's key comes with the call
/// (<see cref="ApiCredential.RequestContextKey"/>), the scope from the route of the same name, and the rule from
/// <see cref="ApiKeyAuthenticator.Check"/>, so a refusal reads exactly as REST's 401 or 403 does.
/// </summary>
public sealed class EntryGrainAccess(ApiKeyAuthenticator authenticator, OperationScopes scopes)
{
    private const string HowToSend = "the MCP bridge sends the key in Herald__ApiKey";

    // The caller the key proved, for the operation the grain runs next; set here only, whatever the call brought.
    private const string OwnerKey = "herald.caller.owner";
    private const string ManagesKey = "herald.caller.manages";

    /// <summary>
    /// The refusal for a call on <paramref name="method"/>, or null to let it run as <see cref="Caller"/>. Takes the
    /// key out of the request context either way.
    /// </summary>
    public UseCaseError? Refusal(MethodInfo method)
    {
        var token = RequestContext.Get(ApiCredential.RequestContextKey) as string;
        RequestContext.Remove(ApiCredential.RequestContextKey);
        var check = authenticator.Check(token, scopes.For(method), HowToSend);
        var caller = check.Allowed ? ApiCallers.From(check) : null;
        RequestContext.Set(OwnerKey, caller?.Owner ?? string.Empty);
        RequestContext.Set(ManagesKey, caller?.Manages ?? false);
        return check.Allowed ? null : new UseCaseError((UseCaseErrorKind)check.Status!.Value, check.Title!, check.Detail!);
    }

    /// <summary>The caller of the grain operation running now, as <see cref="Refusal"/> found it.</summary>
    public static ApiCaller Caller => new(RequestContext.Get(OwnerKey) as string ?? string.Empty, RequestContext.Get(ManagesKey) as bool? ?? false);
}
