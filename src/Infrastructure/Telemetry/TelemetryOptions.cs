namespace Herald.Infrastructure.Telemetry;

/// <summary>Metrics, traces and what they may reveal, bound from <c>Herald:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Herald:Telemetry";

    /// <summary>The standard variable that turns on OTLP export of traces and metrics (and names the collector).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Serve <c>/metrics</c> in the Prometheus text format.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>
    /// Serve <c>/metrics</c> without a key even when API keys are configured (for a scraper on a private network
    /// that cannot send one). By default it needs the <c>read</c> scope, on gateways and headless silos alike.
    /// </summary>
    public bool PublicMetrics { get; set; }

    /// <summary>
    /// Record traces. Default: on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (they are exported there), off
    /// otherwise, which costs nothing per request.
    /// </summary>
    public bool? Traces { get; set; }
}
