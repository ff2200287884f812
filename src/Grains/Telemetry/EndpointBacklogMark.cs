namespace Herald.Grains.Telemetry;

/// <summary>
/// One active endpoint's oldest undelivered message, as its grain last saw it: written by the grain's loop, read by
/// the metrics at scrape time from another thread.
/// </summary>
public sealed class EndpointBacklogMark
{
    private long _oldestUtcTicks;

    /// <summary>When the message the endpoint must deliver next was appended; null once it has caught up.</summary>
    public DateTimeOffset? OldestUndelivered
    {
        get => Volatile.Read(ref _oldestUtcTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        set => Volatile.Write(ref _oldestUtcTicks, value?.UtcTicks ?? 0);
    }
}
