using Herald.Testing;
using System.Text;
using System.Threading.Channels;

namespace Herald.Testing;

/// <summary>One parsed Server-Sent Event; <see cref="Comment"/> is set for comment lines such as keepalives.</summary>
public sealed record SseEvent(string? Id, string Event, string Data, string? Comment = null);

/// <summary>
/// A real SSE reader over HTTP: parses the stream per the HTML spec (fields, multi-line data, comments, blank-line
/// dispatch) into events a test can await.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>();
    private Task _reading = Task.CompletedTask;

    public HttpResponseMessage? Response { get; private set; }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Completion => _reading;

    public static async Task<SseClient> ConnectAsync(Uri baseAddress, string pathAndQuery = "/stream", string? lastEventId = null)
    {
        var client = new SseClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, pathAndQuery));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        client.Response = await client._http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, client._stop.Token);
        client.Response.EnsureSuccessStatusCode();
        var stream = await client.Response.Content.ReadAsStreamAsync(client._stop.Token);
        client._reading = client.ReadAsync(stream);
        return client;
    }

    /// <summary>The next event (comments included when asked), or a failure at the deadline.</summary>
    public async Task<SseEvent> NextAsync(bool includeComments = false, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Eventually.Timeout);
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(deadline.Token);
                if (includeComments || next.Comment is null)
                    return next;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No SSE event arrived before the deadline.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The SSE stream ended.");
        }
    }

    /// <summary>The next <paramref name="count"/> message events (events with an id), skipping comments.</summary>
    public async Task<IReadOnlyList<SseEvent>> NextMessagesAsync(int count)
    {
        var list = new List<SseEvent>();
        while (list.Count < count)
        {
            var next = await NextAsync();
            if (next.Id is not null && next.Event == "message")
                list.Add(next);
        }

        return list;
    }

    private async Task ReadAsync(Stream stream)
    {
        try
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? id = null, type = null;
            var data = new StringBuilder();
            var hasData = false;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (hasData)
                        await _events.Writer.WriteAsync(new SseEvent(id, type ?? "message", data.ToString()));
                    id = null;
                    type = null;
                    data.Clear();
                    hasData = false;
                    continue;
                }

                if (line[0] == ':')
                {
                    await _events.Writer.WriteAsync(new SseEvent(null, "comment", string.Empty, line[1..].TrimStart()));
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? string.Empty : line[(colon + 1)..];
                if (value.StartsWith(' '))
                    value = value[1..];
                switch (field)
                {
                    case "data":
                        if (hasData)
                            data.Append('\n');
                        data.Append(value);
                        hasData = true;
                        break;
                    case "id":
                        id = value;
                        break;
                    case "event":
                        type = value;
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        Response?.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }
}
