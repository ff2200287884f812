using System.Collections.Concurrent;

namespace Herald.Grains.Telemetry;

/// <summary>
/// The webhook grains of this process: how many are active, and how many have state changes not yet committed
/// (state is written behind): waiting for their write, or in a write storage has not acknowledged yet. The second is part of the storage backlog an operator watches: a number that keeps
/// growing means storage cannot keep up. And how far behind the active endpoints are, for the metrics.
/// </summary>
public sealed class WebhookGrainCounters
{
    private int _active;
    private int _dirty;
    private int _writing;
    private readonly ConcurrentDictionary<EndpointBacklogMark, byte> _marks = new();

    public int ActiveGrains => Volatile.Read(ref _active);

    public int PendingStateWrites => Volatile.Read(ref _dirty) + Volatile.Read(ref _writing);

    public void Activated() => Interlocked.Increment(ref _active);

    public void Deactivated() => Interlocked.Decrement(ref _active);

    /// <summary>Active endpoints with a message still to deliver.</summary>
    public int EndpointsBehind
    {
        get
        {
            var behind = 0;
            foreach (var (mark, _) in _marks)
                behind += mark.OldestUndelivered is null ? 0 : 1;
            return behind;
        }
    }

    /// <summary>The age of the oldest message an active endpoint has yet to deliver; zero when every one has caught up.</summary>
    public TimeSpan OldestUndeliveredAge(DateTimeOffset now)
    {
        var oldest = TimeSpan.Zero;
        foreach (var (mark, _) in _marks)
        {
            if (mark.OldestUndelivered is { } since && now - since > oldest)
                oldest = now - since;
        }

        return oldest;
    }

    public EndpointBacklogMark Track()
    {
        var mark = new EndpointBacklogMark();
        _marks.TryAdd(mark, 0);
        return mark;
    }

    public void Untrack(EndpointBacklogMark mark) => _marks.TryRemove(mark, out _);

    public void Dirty() => Interlocked.Increment(ref _dirty);

    public void Clean() => Interlocked.Decrement(ref _dirty);

    public void WriteStarted() => Interlocked.Increment(ref _writing);

    public void WriteFinished() => Interlocked.Decrement(ref _writing);
}
