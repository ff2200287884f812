using Herald.Gateway.Http;

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
        if (!authenticator.Enabled || (scope == ApiScopes.Stream && authenticator.PublicStream))
            return null;

        var key = authenticator.Authenticate(http.Request, allowQueryToken);
        if (key is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblems.Status(StatusCodes.Status401Unauthorized, "Unauthorized",
                allowQueryToken
                    ? "An API key is required: send Authorization: Bearer <key>, or ?access_token=<key> for EventSource."
                    : "An API key is required: send Authorization: Bearer <key>.");
        }

        if (!key.Scopes.Contains(scope, StringComparer.Ordinal))
            return ApiProblems.Status(StatusCodes.Status403Forbidden, "Forbidden", $"The key '{key.Name}' lacks the '{scope}' scope this call needs.");

        http.Items[KeyItem] = key.Name;
        return null;
    }
}

public static class ScopeFilterExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope, bool allowQueryToken = false) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ScopeFilter(scope, allowQueryToken));
}
