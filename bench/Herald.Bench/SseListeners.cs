using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Herald.Bench;

/// <summary>
/// Many SSE listeners on raw loopback sockets (an HttpClient per listener would cost more than what is measured).
/// Each decodes HTTP/1.1 (chunked or not), splits SSE lines, and records when each data line carrying
/// <c>#token</c> arrives, on the harness clock.
/// </summary>
public sealed class SseListeners : IAsyncDisposable
{
    private readonly List<TcpClient> _clients = [];
    private readonly List<Task> _readers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, ConcurrentQueue<long>> _arrivals = new();
    private int _connected;

    /// <summary>Listeners whose response headers have arrived.</summary>
    public int Connected => Volatile.Read(ref _connected);

    public static async Task<SseListeners> ConnectAsync(Uri server, string pathAndQuery, int count)
    {
        var listeners = new SseListeners();
        var request = Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nAccept: text/event-stream\r\n\r\n");
        for (var i = 0; i < count; i++)
        {
            var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(server.Host, server.Port);
            await client.GetStream().WriteAsync(request);
            listeners._clients.Add(client);
            listeners._readers.Add(listeners.ReadAsync(client.GetStream()));
        }

        return listeners;
    }

    public IReadOnlyCollection<long> ArrivalsOf(long token) => _arrivals.TryGetValue(token, out var times) ? times : [];

    public int CountOf(long token) => _arrivals.TryGetValue(token, out var times) ? times.Count : 0;

    /// <summary>Waits until every listener has <paramref name="token"/>, or the deadline passes.</summary>
    public async Task WaitForAsync(long token, int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (CountOf(token) < count)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"SSE message #{token}: {CountOf(token)} of {count} listeners have it.");
            await Task.Delay(1);
        }
    }

    private async Task ReadAsync(NetworkStream stream)
    {
        var buffer = new byte[16 * 1024];
        var decoder = new ResponseDecoder(this);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                decoder.Feed(buffer.AsSpan(0, read), Stopwatch.GetTimestamp());
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    private void OnHeaders() => Interlocked.Increment(ref _connected);

    private void OnData(ReadOnlySpan<byte> line, long at)
    {
        // data: … #token
        var hash = line.LastIndexOf((byte)'#');
        if (hash < 0 || !long.TryParse(line[(hash + 1)..], out var token))
            return;
        _arrivals.GetOrAdd(token, static _ => new ConcurrentQueue<long>()).Enqueue(at);
    }

    /// <summary>One response: headers, then a body that may be chunked, split into SSE lines.</summary>
    private sealed class ResponseDecoder(SseListeners owner)
    {
        private readonly List<byte> _line = new(256);
        private bool _inBody;
        private bool _chunked;
        private long _chunkLeft;
        private ChunkState _chunkState = ChunkState.Size;

        private enum ChunkState
        {
            Size,
            Data,
            DataEnd,
        }

        public void Feed(ReadOnlySpan<byte> bytes, long at)
        {
            while (!bytes.IsEmpty)
            {
                if (!_inBody)
                {
                    var newline = bytes.IndexOf((byte)'\n');
                    var take = newline < 0 ? bytes.Length : newline + 1;
                    _line.AddRange(bytes[..take]);
                    bytes = bytes[take..];
                    if (newline >= 0)
                        HeaderLine();
                    continue;
                }

                if (!_chunked)
                {
                    Body(bytes, at);
                    return;
                }

                switch (_chunkState)
                {
                    case ChunkState.Size:
                    {
                        var newline = bytes.IndexOf((byte)'\n');
                        var take = newline < 0 ? bytes.Length : newline + 1;
                        _sizeLine.AddRange(bytes[..take]);
                        bytes = bytes[take..];
                        if (newline < 0)
                            break;
                        var text = Encoding.ASCII.GetString(_sizeLine.ToArray()).Trim();
                        _sizeLine.Clear();
                        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
                        _chunkLeft = Convert.ToInt64(semicolon < 0 ? text : text[..semicolon], 16);
                        _chunkState = _chunkLeft == 0 ? ChunkState.DataEnd : ChunkState.Data;
                        break;
                    }

                    case ChunkState.Data:
                    {
                        var take = (int)Math.Min(_chunkLeft, bytes.Length);
                        Body(bytes[..take], at);
                        bytes = bytes[take..];
                        _chunkLeft -= take;
                        if (_chunkLeft == 0)
                            _chunkState = ChunkState.DataEnd;
                        break;
                    }

                    case ChunkState.DataEnd:
                    {
                        // The CRLF after a chunk's data.
                        var newline = bytes.IndexOf((byte)'\n');
                        if (newline < 0)
                            return;
                        bytes = bytes[(newline + 1)..];
                        _chunkState = ChunkState.Size;
                        break;
                    }
                }
            }
        }

        private readonly List<byte> _sizeLine = new(16);

        private void HeaderLine()
        {
            var text = Encoding.ASCII.GetString(_line.ToArray()).TrimEnd('\r', '\n');
            _line.Clear();
            if (text.Length == 0)
            {
                _inBody = true;
                owner.OnHeaders();
            }
            else if (text.StartsWith("transfer-encoding:", StringComparison.OrdinalIgnoreCase) && text.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                _chunked = true;
            }
        }

        private void Body(ReadOnlySpan<byte> bytes, long at)
        {
            while (!bytes.IsEmpty)
            {
                var newline = bytes.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _line.AddRange(bytes);
                    return;
                }

                if (_line.Count == 0)
                {
                    Line(bytes[..newline], at);
                }
                else
                {
                    _line.AddRange(bytes[..newline]);
                    Line(_line.ToArray(), at);
                    _line.Clear();
                }

                bytes = bytes[(newline + 1)..];
            }
        }

        private void Line(ReadOnlySpan<byte> line, long at)
        {
            if (line.StartsWith("data:"u8))
                owner.OnData(line, at);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var client in _clients)
            client.Dispose();
        await Task.WhenAll(_readers).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
