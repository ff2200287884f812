using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Security;
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
            routes.MapOrleansDashboard(Path).AddEndpointFilter(RequireManageKeyAsync).AddEndpointFilter(RequireKnownSiloAsync);
        return routes;
    }

    // The dashboard's routes that name a silo by its address; given anything else, they fail with a 500.
    private static readonly string[] SiloRoutes = ["HistoricalStats", "SiloProperties", "SiloMetadata", "SiloStats", "SiloCounters"];

    /// <summary>A route that names a silo gets a 404 unless the name is a live member's address, before the dashboard tries to call it.</summary>
    private static async ValueTask<object?> RequireKnownSiloAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.Request.Path.StartsWithSegments(Path, out var rest) || rest.Value?.TrimStart('/').Split('/', 2) is not [var route, var address] ||
            !SiloRoutes.Contains(route, StringComparer.OrdinalIgnoreCase))
        {
            return await next(context);
        }


        var members = http.RequestServices.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members;
        if (members.Values.Any(m => m.Status == SiloStatus.Active && m.SiloAddress.ToParsableString() == Uri.UnescapeDataString(address)))
            return await next(context);
        return ApiProblems.NotFound($"'{address}' is not the address of an active silo of this cluster; /orleans/DashboardCounters lists them.");
    }

    private static async ValueTask<object?> RequireManageKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;

        // Operators' pages: never inside another site's frame.
        http.Response.Headers.XFrameOptions = "DENY";
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

        http.Items[ApiCallers.Item] = new ApiCaller(key.Name, Manages: true);
        return await next(context);
    }
}
