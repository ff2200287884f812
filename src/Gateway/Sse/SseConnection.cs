using System.Threading.Channels;
using Herald.Contracts;

namespace Herald.Gateway.Sse;

/// <summary>
/// One listener: its topic filter and a bounded queue of frames. The hub never waits on a listener: a frame
/// that does not fit closes the connection instead.
/// </summary>
public sealed class SseConnection(TopicFilter filter, int capacity)
{
    private readonly Channel<ReadOnlyMemory<byte>> _frames = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });

    public TopicFilter Filter { get; } = filter;

    public ChannelReader<ReadOnlyMemory<byte>> Frames => _frames.Reader;

    public bool Overflowed { get; private set; }

    public void Offer(ReadOnlyMemory<byte> frame)
    {
        if (!_frames.Writer.TryWrite(frame) && !Overflowed)
        {
            Overflowed = true;
            _frames.Writer.TryComplete();
        }
    }

    public void Close() => _frames.Writer.TryComplete();
}
