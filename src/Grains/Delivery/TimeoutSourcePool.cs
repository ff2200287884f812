using System.Collections.Concurrent;

namespace Herald.Grains.Delivery;

/// <summary>
/// Reusable cancellation sources for attempt timeouts. Every delivery needs one with a timer, and a fan-out makes
/// thousands at once; a source that was never cancelled is reset and reused instead of being allocated anew.
/// </summary>
internal sealed class TimeoutSourcePool
{
    // Enough for a large fan-out in flight; beyond it, sources are simply dropped.
    private const int MaxPooled = 4096;
    private readonly ConcurrentQueue<CancellationTokenSource> _sources = new();
    private int _count;

    public CancellationTokenSource Rent()
    {
        if (_sources.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref _count);
            return source;
        }

        return new CancellationTokenSource();
    }

    /// <summary>
    /// Takes a source back once nothing can cancel it any more and its user has unregistered from it; a cancelled
    /// one cannot be reused.
    /// </summary>
    public void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
        {
            if (Interlocked.Increment(ref _count) <= MaxPooled)
            {
                _sources.Enqueue(source);
                return;
            }

            Interlocked.Decrement(ref _count);
        }

        source.Dispose();
    }
}
