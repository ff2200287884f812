using System.Globalization;
using Herald.Testing;

namespace Herald.Bench.Chaos;

/// <summary>
/// An SSE listener as a browser's EventSource behaves: it follows its gateway (to its new port after a restart) and
/// reconnects with Last-Event-ID whenever the stream ends or its gateway is down, recording every id, reset and reconnect.
/// </summary>
internal sealed class ChaosListener(ChaosCluster cluster, int gateway)
{
    private readonly List<long> _ids = [];

    public int Gateway => gateway;

    public int Reconnects { get; private set; }

    public int Resets { get; private set; }

    public IReadOnlyList<long> Ids
    {
        get
        {
            lock (_ids)
                return [.. _ids];
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        string? lastEventId = null;
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            var process = cluster.Gateway(gateway);
            if (process is null)
            {
                await Task.Delay(100, CancellationToken.None);
                continue;
            }

            if (!first)
                Reconnects++;
            first = false;
            try
            {
                await using var client = await SseClient.ConnectAsync(process.BaseAddress, lastEventId: lastEventId);
                while (!stop.IsCancellationRequested)
                {
                    SseEvent next;
                    try
                    {
                        next = await client.NextAsync(timeout: TimeSpan.FromSeconds(2));
                    }
                    catch (TimeoutException)
                    {
                        continue;
                    }

                    if (next.Event == "reset")
                        Resets++;
                    else if (next.Event == "message" && next.Id is not null)
                    {
                        lastEventId = next.Id;
                        lock (_ids)
                            _ids.Add(long.Parse(next.Id, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or IOException or OperationCanceledException)
            {
                // The stream ended or the gateway went away: reconnect, as EventSource does.
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }
}
