using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Telemetry;

/// <summary><c>GET /metrics</c>: this process's metrics in the Prometheus text format, unless turned off.</summary>
public static class MetricsApi
{
    public const string Path = "/metrics";

    /// <param name="guard">Middleware a scrape passes through first (a gateway's key check); none on a headless silo.</param>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder routes, Action<IApplicationBuilder>? guard = null)
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
            guard?.Invoke(scrape);
        }, optionsName: null);
        return routes;
    }
}
