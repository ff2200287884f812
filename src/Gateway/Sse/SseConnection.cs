using System.Threading.Tasks.Sources;
using Herald.Contracts;
using Herald.Infrastructure.Cluster;

namespace Herald.Gateway.Sse;

/// <summary>
/// One listener: its topic filter and a bounded queue of frames. The hub never waits on a listener: a frame
/// that does not fit aborts the connection instead, because a listener that stopped reading may have its
/// writer stuck in a flush that only an abort ends. The client reconnects and replays what it missed.
/// </summary>
/// <remarks>
/// Not a <c>Channel</c>: a gateway holds thousands of these for hours, and a bounded channel carries five
/// preallocated async operations and allocates a cancellable one per wait, about 0.7 KiB per idle listener.
/// Here one writer (the hub, under its lock) and one reader (the stream's loop) share a queue and a reusable
/// wake-up.
/// </remarks>
public sealed class SseConnection(TopicFilter filter, SseFormat format, int capacity, Action abort) : IValueTaskSource<bool>
{
    // A burst can grow the queue; a queue emptied above this size gives its array back, as idle listeners last.
    private const int RetainedCapacity = 16;

    private readonly Queue<SseFrame> _frames = new();
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private bool _closed;

    public TopicFilter Filter { get; } = filter;

    /// <summary>The filter as the cluster's listener reports name it.</summary>
    public string FilterKey { get; } = ListenerFilters.Key(filter);

    public SseFormat Format { get; } = format;

    public bool Overflowed { get; private set; }

    public void Offer(SseFrame frame)
    {
        bool wake;
        lock (_frames)
        {
            if (_closed)
                return;
            if (_frames.Count >= capacity)
            {
                Overflowed = true;
                _closed = true;

                // Offer runs under the hub's lock; an abort can run callbacks inline, so it happens off this thread.
                ThreadPool.UnsafeQueueUserWorkItem(static state => ((Action)state!)(), abort);
            }
            else
            {
                _frames.Enqueue(frame);
            }

            wake = TakeWaiter();
        }

        if (wake)
            _wake.SetResult(true);
    }

    /// <summary>Ends the stream once the frames already queued are written, so the client resumes after the last of them.</summary>
    public void Close()
    {
        bool wake;
        lock (_frames)
        {
            _closed = true;
            wake = TakeWaiter();
        }

        if (wake)
            _wake.SetResult(true);
    }

    /// <summary>True once a frame can be read; false when the stream is closed and every queued frame was read.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_frames)
        {
            if (_frames.Count > 0)
                return new ValueTask<bool>(true);
            if (_closed)
                return new ValueTask<bool>(false);

            // The previous wait has been awaited to its end by the single reader, so the wake-up can be reused.
            _wake.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _wake.Version);
        }
    }

    public bool TryRead(out SseFrame frame)
    {
        lock (_frames)
        {
            if (!_frames.TryDequeue(out frame))
                return false;
            if (_frames.Count == 0 && _frames.EnsureCapacity(0) > RetainedCapacity)
                _frames.TrimExcess();
            return true;
        }
    }

    private bool TakeWaiter()
    {
        var waiting = _waiting;
        _waiting = false;
        return waiting;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);
}

/// <summary>Encoded bytes of one SSE frame, and the log sequence of the message in it (0 for other frames).</summary>
public readonly record struct SseFrame(long Seq, ReadOnlyMemory<byte> Bytes);
