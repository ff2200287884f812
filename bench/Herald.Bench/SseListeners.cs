using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Herald.Bench;

/// <summary>
/// Many SSE listeners on raw loopback sockets (an HttpClient per listener would cost more than what is measured).
/// Each records when every <c>id:</c> line arrives, on the harness clock.
/// </summary>
public sealed class SseListeners : IAsyncDisposable
{
    private readonly List<TcpClient> _clients = [];
    private readonly List<Task> _readers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, ConcurrentQueue<long>> _arrivals = new();
    private int _connected;

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

    public IReadOnlyCollection<long> ArrivalsOf(long id) => _arrivals.TryGetValue(id, out var times) ? times : [];

    public int CountOf(long id) => _arrivals.TryGetValue(id, out var times) ? times.Count : 0;

    private async Task ReadAsync(NetworkStream stream)
    {
        var buffer = new byte[16 * 1024];
        var line = new StringBuilder();
        var counted = false;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
            {
                var at = Stopwatch.GetTimestamp();
                for (var i = 0; i < read; i++)
                {
                    var c = (char)buffer[i];
                    if (c != '\n')
                    {
                        line.Append(c);
                        continue;
                    }

                    if (!counted && line.ToString().StartsWith("data: [", StringComparison.Ordinal))
                    {
                        // The connection greeting: this listener is attached.
                        counted = true;
                        Interlocked.Increment(ref _connected);
                    }
                    else if (line.Length > 4 && line[0] == 'i' && line[1] == 'd' && line[2] == ':' && long.TryParse(line.ToString(4, line.Length - 4), out var id))
                    {
                        _arrivals.GetOrAdd(id, _ => new ConcurrentQueue<long>()).Enqueue(at);
                    }

                    line.Clear();
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
        {
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
