using Herald.Application;
using Herald.Application.Hosting;
using Herald.Gateway.Api;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Gateway.Sse;
using Herald.Gateway.Stats;
using Herald.Grains;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Hosting;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Hosting;

public static class GatewayHostingExtensions
{
    /// <summary>The address the hub serves on when nothing else is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    /// <summary>A gateway co-hosts a silo and serves the REST API, the SSE stream and the dashboard.</summary>
    public static WebApplicationBuilder AddHeraldGateway(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"]) &&
            string.IsNullOrEmpty(configuration["https_ports"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var services = builder.Services;

        // Registered before the silo so that its heartbeats report this gateway's SSE listeners.
        services.AddSingleton<SseHub>();
        services.AddSingleton<SseAdmission>();
        services.AddSingleton<ILocalConnectionCount>(sp => sp.GetRequiredService<SseHub>());
        builder.AddHeraldSilo(SiloRole.Gateway);

        // Hosting diagnostics log each request line with its query string, which for EventSource listeners holds
        // ?access_token=<key>: off in code, so configuration cannot put keys into the logs by accident. Off also
        // means no per-request Activity and log scope unless a tracer listens, about 1 KiB held by every open SSE
        // stream.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.Section);
        services.AddValidatedOptions<ForwardingOptions>(ForwardingOptions.Section);
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.Value.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestLineSize = limits.Value.MaxRequestLineBytes;
        });
        services.AddValidatedOptions<SseOptions>(SseOptions.Section);
        services.AddOptions<CorsSettings>().BindConfiguration(CorsSettings.Section);

        services.AddHostedService(sp => sp.GetRequiredService<SseHub>());
        services.AddSingleton<SseMetrics>();
        services.AddHostedService<InstrumentsAtStart<SseMetrics>>();
        services.AddSingleton<InboundMetrics>();
        services.AddValidatedOptions<RateOptions>(RateOptions.Section);
        services.AddSingleton<RateHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<RateHistory>());
        services.AddSingleton<OperationScopes>();
        services.AddSingleton<EntryGrainAccess>();
        services.AddApiRateLimiting();

        services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        services.AddHeraldApplication();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = DescribeFrameworkProblem);
        services.AddHealthChecks();
        // Any origin by default only in embedded mode (a hub on 127.0.0.1); a cluster allows the origins it names.
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CorsSettings>, StorageMode>((cors, settings, storage) => cors.AddDefaultPolicy(policy =>
        {
            if (settings.Value.Origins.Contains("*") || (!storage.IsCluster && settings.Value.Origins.Length == 0))
                policy.AllowAnyOrigin();
            else
                policy.WithOrigins(settings.Value.Origins);
            policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Location");
        }));
        return builder;
    }

    /// <summary>The middleware and every API of the gateway.</summary>
    public static WebApplication MapHeraldGateway(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A request the server itself rejects (bad framing, a body over Kestrel's limit) keeps its 4xx; an
            // unreachable database is a 503, so a client knows nothing was accepted and can retry.
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when StorageErrors.IsUnavailable(exception) => StatusCodes.Status503ServiceUnavailable,

                // A grain call the cluster could not route while a process left or joined; a cancelled one is either
                // that (Orleans gave up waiting for the grain directory) or a client that left, who reads no answer.
                _ when ClusterErrors.IsTransient(exception) || exception is OperationCanceledException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        UseForwardedHeadersOfKnownProxies(app);
        app.UseCors();
        app.UseNulQueryGuard();
        app.UseRateLimiter();

        app.MapHealthApi();
        app.MapMetricsApi();
        app.MapDashboardApi();
        app.MapPushApi();
        app.MapWebhooksApi();
        app.MapEndpointsApi();
        app.MapSseApi();
        app.MapClusterApi();
        app.MapOrleansDashboardApi();
        app.MapDiagnosticsApi();
        app.MapStatsApi();
        app.MapInboundApi();
        app.MapEventsApi();
        app.MapDeploymentsApi();
        app.MapActionsApi();
        app.MapSubscriptionsApi();
        app.MapChannelsApi();
        return app;
    }

    // Only the listed proxies' forwarded headers are believed (ASP.NET Core's default would believe loopback's).
    private static void UseForwardedHeadersOfKnownProxies(WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<IOptions<ForwardingOptions>>().Value;
        if (proxies.KnownProxies.Length == 0)
            return;
        var forwarding = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        forwarding.KnownProxies.Clear();
        forwarding.KnownIPNetworks.Clear();
        foreach (var network in proxies.Networks())
            forwarding.KnownIPNetworks.Add(network);
        app.UseForwardedHeaders(forwarding);
    }

    // Problems the framework writes itself (no route, wrong method, a body Kestrel rejects) get the same
    // readable "error" that Herald's own problems carry.
    private static void DescribeFrameworkProblem(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var request = context.HttpContext.Request;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => $"No route matches {request.Method} {request.Path}. See the README for the API reference.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
            StatusCodes.Status503ServiceUnavailable when context.Exception is { } error && !StorageErrors.IsUnavailable(error) =>
                "A Herald process left or joined the cluster and Orleans had not re-routed its work yet, so the request was not completed. Retry shortly.",
            StatusCodes.Status503ServiceUnavailable => context.HttpContext.RequestServices.GetRequiredService<ClusterView>().IsCluster
                ? "PostgreSQL is unreachable, so nothing was accepted. Retry shortly."
                : "Herald's data file cannot be written (the disk is full or read-only), so nothing was accepted. Retry once it can be.",
            StatusCodes.Status500InternalServerError => "Herald failed to handle the request; the error is logged.",
            _ => problem.Title,
        };
        problem.Extensions.TryAdd("error", problem.Detail);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            context.HttpContext.Response.Headers.RetryAfter = "1";
    }
}
