using Herald.Gateway.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Security;

/// <summary>Requires a key with a scope on the endpoints it is attached to, once keys are configured.</summary>
public sealed class ScopeFilter(string scope, bool allowQueryToken = false) : IEndpointFilter
{
    public const string KeyItem = "herald.key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Refusal(context.HttpContext, scope, allowQueryToken) ?? await next(context);

    /// <summary>
    /// The answer for a request that lacks the key or the scope, or null to let it through (noting the key's name).
    /// For handlers that take no filter: an open stream would hold the filter's state for as long as it lasts.
    /// </summary>
    public static IResult? Refusal(HttpContext http, string scope, bool allowQueryToken)
    {
        var authenticator = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
        if (scope == ApiScopes.Stream && authenticator.PublicStream)
            return null;

        var token = ApiKeyAuthenticator.BearerToken(http.Request) ?? (allowQueryToken ? http.Request.Query[ApiKeyAuthenticator.AccessTokenParameter].FirstOrDefault() : null);
        var refusal = Refusal(authenticator, token, scope,
            allowQueryToken ? "send Authorization: Bearer <key>, or ?access_token=<key> for EventSource" : "send Authorization: Bearer <key>", out var keyName);
        if (refusal?.StatusCode == StatusCodes.Status401Unauthorized)
            http.Response.Headers.WWWAuthenticate = "Bearer";
        if (keyName is not null)
            http.Items[KeyItem] = keyName;
        return refusal;
    }

    /// <summary>
    /// The rule every way into the API applies, HTTP and the Orleans entry grain alike: with keys configured, the
    /// caller's <paramref name="token"/> must be a key with <paramref name="scope"/>. Null lets the call through, with
    /// the key's name in <paramref name="keyName"/> (null while no keys are configured).
    /// </summary>
    public static ProblemHttpResult? Refusal(ApiKeyAuthenticator authenticator, string? token, string scope, string howToSend, out string? keyName)
    {
        keyName = null;
        if (!authenticator.Enabled)
            return null;

        var key = authenticator.Find(token);
        if (key is null)
            return ApiProblems.Status(StatusCodes.Status401Unauthorized, "Unauthorized", $"An API key is required: {howToSend}.");

        if (!key.Scopes.Contains(scope, StringComparer.Ordinal))
            return ApiProblems.Status(StatusCodes.Status403Forbidden, "Forbidden", $"The key '{key.Name}' lacks the '{scope}' scope this call needs.");

        keyName = key.Name;
        return null;
    }
}

/// <summary>The scope an endpoint requires, as endpoint metadata: the Orleans entry grain reads it by the route's name.</summary>
public sealed record RequiredScope(string Scope);

public static class ScopeFilterExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope, bool allowQueryToken = false) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ScopeFilter(scope, allowQueryToken)).WithMetadata(new RequiredScope(scope));
}
