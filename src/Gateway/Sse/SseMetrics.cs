using System.Diagnostics.Metrics;
using Herald.Grains.Telemetry;

namespace Herald.Gateway.Sse;

/// <summary>
/// This gateway's SSE streams. Counted in plain fields and read at scrape time: a frame costs one add per flush,
/// not one instrument call per listener.
/// </summary>
public sealed class SseMetrics
{
    private static readonly KeyValuePair<string, object?> Live = new("kind", "live");
    private static readonly KeyValuePair<string, object?> Replay = new("kind", "replay");
    private long _liveFrames;
    private long _replayedFrames;
    private long _opened;
    private long _resumed;
    private long _overflows;

    public SseMetrics(IMeterFactory meters, SseHub hub)
    {
        var meter = meters.Create(HeraldTelemetry.MeterName);
        meter.CreateObservableUpDownCounter("herald.sse.connections", () => hub.ConnectionCount, "{connection}", "SSE streams open on this gateway.");
        meter.CreateObservableCounter("herald.sse.connections.opened", () => Volatile.Read(ref _opened), "{connection}", "SSE streams opened on this gateway.");
        meter.CreateObservableCounter("herald.sse.frames", () => new[]
        {
            new Measurement<long>(Volatile.Read(ref _liveFrames), Live),
            new Measurement<long>(Volatile.Read(ref _replayedFrames), Replay),
        }, "{frame}", "Message frames written to SSE streams: live as they were pushed, or replayed from the log after a Last-Event-ID.");
        meter.CreateObservableCounter("herald.sse.replays", () => Volatile.Read(ref _resumed), "{connection}",
            "SSE streams that resumed with a Last-Event-ID and replayed what they missed.");
        meter.CreateObservableCounter("herald.sse.overflow_disconnects", () => Volatile.Read(ref _overflows), "{connection}",
            "Listeners disconnected because they read slower than messages arrived and their buffer filled.");
    }

    public void Opened(bool resuming)
    {
        Interlocked.Increment(ref _opened);
        if (resuming)
            Interlocked.Increment(ref _resumed);
    }

    public void Sent(int frames)
    {
        if (frames > 0)
            Interlocked.Add(ref _liveFrames, frames);
    }

    public void Replayed(int frames)
    {
        if (frames > 0)
            Interlocked.Add(ref _replayedFrames, frames);
    }

    public void Overflowed() => Interlocked.Increment(ref _overflows);
}
