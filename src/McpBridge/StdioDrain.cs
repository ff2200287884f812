using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Herald.McpBridge;

/// <summary>
/// stdin and stdout for an MCP session over stdio that answers everything it was asked before it ends. The SDK's
/// stream transport stops sending once its input ends, so a client that writes a request and closes stdin
/// (<c>echo '{…"tools/list"…}' | herald-mcp</c>) got nothing back. Here, end of input reaches the transport only
/// once every request read has been answered or cancelled, or after <c>grace</c> at most.
/// </summary>
public sealed class StdioDrain
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _unanswered = new(StringComparer.Ordinal);
    private readonly TimeSpan _grace;
    private TaskCompletionSource _answered = Completed();

    public StdioDrain(Stream stdin, Stream stdout, TimeSpan grace)
    {
        _grace = grace;
        Input = new LineWatchingStream(stdin, this, isInput: true);
        Output = new LineWatchingStream(stdout, this, isInput: false);
    }

    public Stream Input { get; }

    public Stream Output { get; }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>Records a request read (or a cancellation of one), or an answer written, from one line of JSON-RPC.</summary>
    private void Observe(ReadOnlySpan<byte> line, bool isInput)
    {
        string? id = null, cancelled = null;
        bool request = false, answer = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var message = document.RootElement;
            if (message.ValueKind != JsonValueKind.Object)
                return;
            if (message.TryGetProperty("id", out var idElement))
                id = idElement.GetRawText();
            var method = message.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            request = isInput && method is not null && id is not null;
            answer = !isInput && method is null && id is not null && (message.TryGetProperty("result", out _) || message.TryGetProperty("error", out _));
            if (isInput && method == NotificationMethods.CancelledNotification && message.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object &&
                p.TryGetProperty("requestId", out var requestId))
            {
                cancelled = requestId.GetRawText();
            }
        }
        catch (JsonException)
        {
            // Not JSON-RPC: the transport answers or ignores it; nothing to wait for.
            return;
        }

        lock (_gate)
        {
            if (request && _unanswered.Add(id!) && _unanswered.Count == 1)
                _answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if ((answer && _unanswered.Remove(id!)) | (cancelled is not null && _unanswered.Remove(cancelled)) && _unanswered.Count == 0)
                _answered.TrySetResult();
        }
    }

    private Task AllAnsweredAsync()
    {
        lock (_gate)
            return _answered.Task.WaitAsync(_grace).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private sealed class LineWatchingStream(Stream inner, StdioDrain drain, bool isInput) : Stream
    {
        private readonly List<byte> _line = [];

        public override bool CanRead => isInput;

        public override bool CanWrite => !isInput;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                Watch(buffer.Span[..read]);
                return read;
            }

            // A last line without a newline is still a message: the transport reads it before it sees the end.
            Flush(_line);
            await drain.AllAnsweredAsync().ConfigureAwait(false);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Watch(buffer.AsSpan(offset, count));
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Watch(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }

        // Reads and writes arrive in pieces; JSON-RPC over stdio is one message per line.
        private void Watch(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                if (b == (byte)'\n')
                    Flush(_line);
                else
                    _line.Add(b);
            }
        }

        private void Flush(List<byte> line)
        {
            if (line.Count > 0)
                drain.Observe(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line), isInput);
            line.Clear();
        }
    }
}
