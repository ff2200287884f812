using System.Threading.Channels;
using Herald.Contracts;

namespace Herald.Gateway.Sse;

/// <summary>
/// One listener: its topic filter and a bounded queue of frames. The hub never waits on a listener: a frame
/// that does not fit aborts the connection instead, because a listener that stopped reading may have its
/// writer stuck in a flush that only an abort ends. The client reconnects and replays what it missed.
/// </summary>
public sealed class SseConnection(TopicFilter filter, SseFormat format, int capacity, Action abort)
{
    private readonly Channel<SseFrame> _frames = Channel.CreateBounded<SseFrame>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });

    public TopicFilter Filter { get; } = filter;

    public SseFormat Format { get; } = format;

    public ChannelReader<SseFrame> Frames => _frames.Reader;

    public bool Overflowed { get; private set; }

    public void Offer(SseFrame frame)
    {
        if (!_frames.Writer.TryWrite(frame) && !Overflowed)
        {
            Overflowed = true;
            _frames.Writer.TryComplete();

            // Offer runs under the hub's lock; an abort can run callbacks inline, so it happens off this thread.
            ThreadPool.UnsafeQueueUserWorkItem(static state => ((Action)state!)(), abort);
        }
    }

    /// <summary>Ends the stream once the frames already queued are written, so the client resumes after the last of them.</summary>
    public void Close() => _frames.Writer.TryComplete();
}

/// <summary>Encoded bytes of one SSE frame, and the log sequence of the message in it (0 for other frames).</summary>
public readonly record struct SseFrame(long Seq, ReadOnlyMemory<byte> Bytes);
