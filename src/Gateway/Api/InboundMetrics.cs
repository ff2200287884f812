using System.Diagnostics.Metrics;
using Herald.Grains.Telemetry;

namespace Herald.Gateway.Api;

/// <summary>Inbound webhooks by source and verdict.</summary>
public sealed class InboundMetrics(IMeterFactory meters)
{
    /// <summary>The label of a source that is not configured (accepted or refused): URL paths are not a bounded set.</summary>
    public const string UnconfiguredSource = "unconfigured";

    private readonly Counter<long> _events = meters.Create(HeraldTelemetry.MeterName).CreateCounter<long>("herald.inbound.events", "{event}",
        "Inbound webhooks, by configured source and verdict: received (stored and relayed), duplicate, unverified (signature refused), " +
        "invalid (bad body), unknown_source or unavailable (storage down).");

    public void Counted(string source, string verdict) =>
        _events.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("verdict", verdict));
}
