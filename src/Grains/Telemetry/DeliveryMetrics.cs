using System.Diagnostics.Metrics;
using Herald.Grains.Delivery;
using Herald.Grains.Webhooks;

namespace Herald.Grains.Telemetry;

/// <summary>
/// Pushes, webhook delivery and endpoint health, as this process sees them. No endpoint id or URL is a label: a
/// hub with thousands of endpoints would otherwise make thousands of series. Per-endpoint detail is in the API.
/// </summary>
public sealed class DeliveryMetrics
{
    private readonly Counter<long> _pushes;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _disabled;

    public DeliveryMetrics(IMeterFactory meters, WebhookGrainCounters grains, TimeProvider time)
    {
        var meter = meters.Create(HeraldTelemetry.MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = HeraldTelemetry.SecondsBuckets };
        _pushes = meter.CreateCounter<long>("herald.pushes", "{message}", "Pushes appended to the log (a retry with a known idempotency key appends nothing and is not counted).");
        _attempts = meter.CreateCounter<long>("herald.delivery.attempts", "{attempt}",
            "Webhook delivery attempts, by outcome (succeeded, retrying, failed, disabled) and the response's status class (none when no response arrived).");
        _attemptDuration = meter.CreateHistogram("herald.delivery.attempt.duration", "s", "How long each delivery attempt's HTTP exchange took.", advice: seconds);
        _latency = meter.CreateHistogram("herald.delivery.latency", "s", "From a message's append to its successful delivery to an endpoint, retries included.", advice: seconds);
        _disabled = meter.CreateCounter<long>("herald.endpoints.disabled", "{endpoint}",
            "Endpoints Herald disabled, by reason: gone (410), blocked (a destination the network guard refuses) or failing (no success for the configured time).");
        meter.CreateObservableGauge("herald.endpoint.lag", () => grains.OldestUndeliveredAge(time.GetUtcNow()).TotalSeconds, "s",
            "Age of the oldest message an active endpoint has yet to deliver, the largest over this process's endpoints (0 when all are caught up).");
        meter.CreateObservableGauge("herald.endpoints.lagging", () => grains.EndpointsBehind, "{endpoint}",
            "Active endpoints of this process with a message still to deliver.");
        meter.CreateObservableUpDownCounter("herald.webhook_grains.active", () => grains.ActiveGrains, "{grain}", "Webhook grains active in this process.");
    }

    public void PushAppended() => _pushes.Add(1);

    public void Attempted(AttemptResult result, string outcome, DateTimeOffset appendedAt, DateTimeOffset now)
    {
        var statusClass = HeraldTelemetry.StatusClass(result.StatusCode);
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("status_class", statusClass));
        _attemptDuration.Record(result.LatencyMs / 1000, new KeyValuePair<string, object?>("status_class", statusClass));
        if (result.Succeeded)
            _latency.Record(Math.Max(0, (now - appendedAt).TotalSeconds));
    }

    public void Disabled(AttemptResult result) =>
        _disabled.Add(1, new KeyValuePair<string, object?>("reason", result.Gone ? "gone" : result.Blocked ? "blocked" : "failing"));
}
