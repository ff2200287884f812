using Herald.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Telemetry;

/// <summary>
/// <c>GET /metrics</c>: this process's metrics in the Prometheus text format, unless turned off. Once API keys exist
/// it needs one with the <c>read</c> scope (<c>Herald:Telemetry:PublicMetrics</c> leaves it open), on every process.
/// </summary>
public static class MetricsApi
{
    public const string Path = "/metrics";

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder routes)
    {
        if (!routes.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.Metrics)
            return routes;
        routes.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: scrape =>
        {
            // The exporter answers any method; a scrape is a GET (or HEAD).
            scrape.Use(async (context, next) =>
            {
                if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                {
                    await next(context);
                    return;
                }

                context.Response.Headers.Allow = "GET, HEAD";
                var detail = $"{context.Request.Method} is not allowed on {Path}; scrape it with GET.";
                await Results.Problem(detail, statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed",
                    extensions: new Dictionary<string, object?> { ["error"] = detail }).ExecuteAsync(context);
            });
            scrape.Use(RequireReadScopeUnlessPublicAsync);
        }, optionsName: null);
        return routes;
    }

    // The scrape endpoint is the exporter's own middleware, not a route handler, so the key check runs as middleware.
    private static async Task RequireReadScopeUnlessPublicAsync(HttpContext context, RequestDelegate next)
    {
        var check = context.RequestServices.GetService<IOptions<TelemetryOptions>>()?.Value.PublicMetrics == true || context.RequestServices.GetService<ApiKeyAuthenticator>() is not { } keys
            ? ApiKeyCheck.Open
            : keys.Check(ApiKeyAuthenticator.BearerToken(context.Request), ApiScopes.Read, "send Authorization: Bearer <key> (a Prometheus scrape job's authorization.credentials)");
        if (check.Allowed)
        {
            await next(context);
            return;
        }

        if (check.Status == StatusCodes.Status401Unauthorized)
            context.Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(check.Detail, statusCode: check.Status, title: check.Title, extensions: new Dictionary<string, object?> { ["error"] = check.Detail }).ExecuteAsync(context);
    }
}
