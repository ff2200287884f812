namespace Herald.Grains.Webhooks;

/// <summary>
/// The webhook grains of this process: how many are active, and how many have state changes not yet committed
/// (state is written behind): waiting for their write, or in a write storage has not acknowledged yet. The second is part of the storage backlog an operator watches: a number that keeps
/// growing means storage cannot keep up.
/// </summary>
public sealed class WebhookGrainCounters
{
    private int _active;
    private int _dirty;
    private int _writing;

    public int ActiveGrains => Volatile.Read(ref _active);

    public int PendingStateWrites => Volatile.Read(ref _dirty) + Volatile.Read(ref _writing);

    public void Activated() => Interlocked.Increment(ref _active);

    public void Deactivated() => Interlocked.Decrement(ref _active);

    public void Dirty() => Interlocked.Increment(ref _dirty);

    public void Clean() => Interlocked.Decrement(ref _dirty);

    public void WriteStarted() => Interlocked.Increment(ref _writing);

    public void WriteFinished() => Interlocked.Decrement(ref _writing);
}
