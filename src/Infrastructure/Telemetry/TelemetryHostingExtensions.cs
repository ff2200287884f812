using Herald.Grains;
using Herald.Grains.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Herald.Infrastructure.Telemetry;

public static class TelemetryHostingExtensions
{
    /// <summary>The meters served beside Herald's own: Orleans's runtime, ASP.NET Core's, HttpClient's and the .NET runtime's.</summary>
    public static readonly string[] Meters =
    [
        HeraldTelemetry.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.RateLimiting", "System.Net.Http", "System.Runtime",
    ];

    /// <summary>The activity sources a trace is made of: Herald's spans, Orleans's grain calls and the outgoing HTTP calls.</summary>
    public static readonly string[] ActivitySources = [HeraldTelemetry.ActivitySourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "System.Net.Http"];

    private static readonly string[] HttpClientLabels = ["http.request.method", "http.response.status_code", "error.type", "url.scheme", "network.protocol.version"];

    // Probes and scrapes would be most of the spans, and an SSE stream's span would stay open (and in memory) for as
    // long as the listener does.
    private static readonly PathString[] UntracedPaths = ["/metrics", "/healthz", "/readyz", "/stream"];

    /// <summary>Whether this process records traces: as configured, or when an OTLP collector is named.</summary>
    public static bool TracesEnabled(IConfiguration configuration) => Settings(configuration).Traces ?? OtlpConfigured(configuration, "TRACES");

    /// <summary>The options as configured, read before the host is built (they decide what is registered).</summary>
    private static TelemetryOptions Settings(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        }
        catch (InvalidOperationException exception)
        {
            // The binder names the key and the value: "Failed to convert configuration value 'maybe' at 'Herald:Telemetry:Metrics'…".
            throw new HeraldStartupException(exception.Message, exception);
        }
    }

    /// <summary>Whether a collector is named for <paramref name="signal"/> (TRACES or METRICS), or for every signal.</summary>
    private static bool OtlpConfigured(IConfiguration configuration, string signal) =>
        !string.IsNullOrWhiteSpace(configuration[TelemetryOptions.OtlpEndpointKey]) ||
        !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]);

    /// <summary>
    /// OpenTelemetry for this process: metrics for <c>/metrics</c> (and OTLP when a collector is named), and traces
    /// when <see cref="TracesEnabled"/>. <paramref name="serviceName"/> is the default <c>service.name</c>;
    /// <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c> override it.
    /// </summary>
    public static IHostApplicationBuilder AddHeraldTelemetry(this IHostApplicationBuilder builder, string serviceName, bool serveMetrics = true)
    {
        var services = builder.Services;
        services.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.Section);
        var settings = Settings(builder.Configuration);
        var prometheus = settings.Metrics && serveMetrics;
        var otlpMetrics = OtlpConfigured(builder.Configuration, "METRICS");
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: Environment.MachineName + "-" + Environment.ProcessId));
        if (prometheus || otlpMetrics)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);

                // HttpClient labels its series with each destination's host and port: one series per receiver, which
                // for a hub of many endpoints is the unbounded cardinality Herald's own metrics avoid.
                metrics.AddView("http.client.*", new MetricStreamConfiguration { TagKeys = HttpClientLabels });
                if (prometheus)
                    metrics.AddPrometheusExporter();
                if (otlpMetrics)
                    metrics.AddOtlpExporter();
            });
        }

        if (TracesEnabled(builder.Configuration))
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(ActivitySources)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !UntracedPaths.Any(path => context.Request.Path.StartsWithSegments(path)));
                if (OtlpConfigured(builder.Configuration, "TRACES"))
                    tracing.AddOtlpExporter();
            });
        }

        return builder;
    }
}
