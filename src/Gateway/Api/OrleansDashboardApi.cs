using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Silo.Cluster;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace Herald.Gateway.Api;

/// <summary>
/// <c>/orleans</c>: Orleans's own dashboard (silos, grains, calls, reminders), for operators. It is a browser app
/// that calls its own JSON routes, so once keys exist a browser opens it with <c>/orleans/?access_token=&lt;key&gt;</c>
/// (a key with the <c>manage</c> scope); the key is then kept in a cookie limited to <c>/orleans</c>.
/// </summary>
public static class OrleansDashboardApi
{
    public const string Path = "/orleans";

    public const string CookieName = "herald_orleans";

    public static IEndpointRouteBuilder MapOrleansDashboardApi(this IEndpointRouteBuilder routes)
    {
        // The silo registers the dashboard's services only when it runs (Herald:Cluster:OrleansDashboard, by mode).
        var services = routes.ServiceProvider;
        if (services.GetRequiredService<IOptions<ClusterOptions>>().Value.RunsOrleansDashboard(services.GetRequiredService<ClusterView>().IsCluster))
            routes.MapOrleansDashboard(Path).AddEndpointFilter(RequireManageKeyAsync);
        return routes;
    }

    private static async ValueTask<object?> RequireManageKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var authenticator = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
        if (!authenticator.Enabled)
            return await next(context);

        var queryToken = http.Request.Query[ApiKeyAuthenticator.AccessTokenParameter].FirstOrDefault();
        var token = ApiKeyAuthenticator.BearerToken(http.Request) ?? queryToken ?? http.Request.Cookies[CookieName];
        var key = authenticator.Find(token);
        if (key is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblems.Status(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"An API key is required: the Orleans dashboard needs one with the '{ApiScopes.Manage}' scope. Open {Path}/?{ApiKeyAuthenticator.AccessTokenParameter}=<key> in a browser, or send Authorization: Bearer <key>.");
        }

        if (!key.Scopes.Contains(ApiScopes.Manage, StringComparer.Ordinal))
            return ApiProblems.Status(StatusCodes.Status403Forbidden, "Forbidden", $"The key '{key.Name}' lacks the '{ApiScopes.Manage}' scope the Orleans dashboard needs.");

        // The dashboard's own requests carry no key: the browser sends this cookie instead, to these paths only.
        if (queryToken is not null && token == queryToken)
        {
            http.Response.Cookies.Append(CookieName, queryToken, new CookieOptions
            {
                Path = Path,
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                IsEssential = true,
            });
        }

        http.Items[ScopeFilter.KeyItem] = key.Name;
        return await next(context);
    }
}
