using Herald.Grains.Webhooks;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.Logging;

namespace Herald.Grains.Cluster;

/// <summary>
/// Wakes the endpoints that still have messages to deliver, as their persisted state tells (a cursor behind the log
/// head for their topics, or a retry pending), without activating the others. One sweep runs at a time; requests
/// that arrive meanwhile make one more afterwards, so none is lost and a burst of them costs two sweeps.
/// </summary>
[GrainType("sweep")]
public sealed class SweepGrain(IEndpointRegistry registry, EndpointStatusReader statuses, IStreamLog log, ILogger<SweepGrain> logger) : Grain, ISweepGrain
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    private Task _sweeping = Task.CompletedTask;
    private string? _again;

    public Task RequestAsync(string reason)
    {
        if (!_sweeping.IsCompleted)
        {
            _again = reason;
            return Task.CompletedTask;
        }

        _sweeping = SweepWhileRequestedAsync(reason);
        return Task.CompletedTask;
    }

    private async Task SweepWhileRequestedAsync(string reason)
    {
        var backoff = FirstBackoff;
        for (string? next = reason; next is not null; next = Interlocked.Exchange(ref _again, null))
        {
            // A long sweep is not a grain call; it keeps the activation alive while it runs.
            DelayDeactivation(TimeSpan.FromMinutes(5));
            try
            {
                Log.Sweeping(logger, next);
                await SweepOnceAsync();
                backoff = FirstBackoff;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Storage is away, most likely: the wakes this sweep was for are still owed, so it runs again later.
                Log.SweepFailed(logger, exception, backoff);
                await Task.Delay(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                Interlocked.CompareExchange(ref _again, next, null);
            }
        }
    }

    private async Task SweepOnceAsync()
    {
        var head = (await log.GetBoundsAsync()).Head;
        var endpoints = await registry.ListAsync();
        var woken = 0;
        foreach (var endpoint in endpoints.Where(e => e.Enabled))
        {
            if (!await statuses.HasWorkAsync(endpoint, head))
                continue;
            _ = GrainFactory.GetGrain<IWebhookGrain>(endpoint.Id).WakeAsync(0);
            woken++;
        }

        Log.Swept(logger, woken, endpoints.Count);
    }
}
