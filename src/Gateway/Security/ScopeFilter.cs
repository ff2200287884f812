using Herald.Gateway.Http;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Security;

/// <summary>Requires a key with a scope on the endpoints it is attached to, once keys are configured.</summary>
public sealed class ScopeFilter(string scope, bool allowQueryToken = false) : IEndpointFilter
{
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
        var check = authenticator.Check(token, scope,
            allowQueryToken ? "send Authorization: Bearer <key>, or ?access_token=<key> for EventSource" : "send Authorization: Bearer <key>");
        if (check.Status == StatusCodes.Status401Unauthorized)
            http.Response.Headers.WWWAuthenticate = "Bearer";
        if (!check.Allowed)
            return Problem(check);
        http.Items[ApiCallers.Item] = ApiCallers.From(check);
        return null;
    }

    /// <summary><see cref="ApiKeyAuthenticator.Check"/>'s refusal as the API's problem JSON.</summary>
    public static ProblemHttpResult Problem(ApiKeyCheck refused) => ApiProblems.Status(refused.Status!.Value, refused.Title!, refused.Detail!);
}

/// <summary>The scope an endpoint requires, as endpoint metadata: the Orleans entry grain reads it by the route's name.</summary>
public sealed record RequiredScope(string Scope);

public static class ScopeFilterExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope, bool allowQueryToken = false) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ScopeFilter(scope, allowQueryToken)).WithMetadata(new RequiredScope(scope));
}
