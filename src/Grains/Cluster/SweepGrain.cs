using System.Diagnostics;
using Herald.Grains.Webhooks;
using Herald.Storage;
using Herald.MessageLog;
using Microsoft.Extensions.Logging;

namespace Herald.Grains.Cluster;

/// <summary>
/// Wakes the endpoints that still have messages to deliver, as their persisted state tells (a cursor behind the log
/// head for their topics, or a retry pending), without activating the others. One sweep runs at a time; requests
/// that arrive meanwhile make one more afterwards, so none is lost and a burst of them costs two sweeps.
/// </summary>
[GrainType("sweep")]
public sealed class SweepGrain(IEndpointRegistry registry, EndpointStatusReader statuses, IMessageLog log, ILogger<SweepGrain> logger) : Grain, ISweepGrain
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    // Short: what a sweep that failed was for (a grain still addressed to a dead silo, storage coming back) is an
    // endpoint idle with messages to deliver.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // A resume waits for its grain to run; one still addressed to a dead silo waits until the cluster declares it dead
    // (with the distributed directory, until the silo's entries' lease ends).
    private static readonly TimeSpan ResumeDeadline = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _deactivating = new();
    private Task _sweeping = Task.CompletedTask;
    private string? _again;
    private long _lastSwept;

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

    public Task TickAsync(TimeSpan interval)
    {
        var last = Volatile.Read(ref _lastSwept);
        return last != 0 && Stopwatch.GetElapsedTime(last) < interval ? Task.CompletedTask : RequestAsync("timer");
    }

    private async Task SweepWhileRequestedAsync(string reason)
    {
        var backoff = FirstBackoff;
        for (string? next = reason; next is not null && !_deactivating.IsCancellationRequested; next = Interlocked.Exchange(ref _again, null))
        {
            // A long sweep is not a grain call; it keeps the activation alive while it runs.
            DelayDeactivation(TimeSpan.FromMinutes(5));
            try
            {
                GrainLogMessages.Sweeping(logger, next);
                await SweepOnceAsync();
                Volatile.Write(ref _lastSwept, Stopwatch.GetTimestamp());
                backoff = FirstBackoff;
            }
            catch (Exception) when (_deactivating.IsCancellationRequested)
            {
                // Its silo is stopping: the membership change makes every other silo ask for a sweep of its own.
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The wakes this sweep was for are still owed, so it runs again later.
                if (ExpectedFaults.Includes(exception))
                    GrainLogMessages.SweepWaits(logger, ExpectedFaults.Reason(exception), backoff);
                else
                    GrainLogMessages.SweepFailed(logger, exception, backoff);
                await Task.Delay(backoff, _deactivating.Token).ContinueWith(static _ => { }, TaskScheduler.Current);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                Interlocked.CompareExchange(ref _again, next, null);
            }
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _deactivating.CancelAsync();

    private async Task SweepOnceAsync()
    {
        var head = (await log.GetBoundsAsync()).Head;
        var endpoints = await registry.ListAsync();
        var resumed = new List<Task>();
        foreach (var endpoint in endpoints.Where(e => e.Enabled))
        {
            if (await statuses.HasWorkAsync(endpoint, head))
                resumed.Add(GrainFactory.GetGrain<IWebhookGrain>(endpoint.Id).ResumeAsync().WaitAsync(ResumeDeadline));
        }

        // Answered resumes only: one that failed or timed out fails the sweep, which runs again after a short backoff.
        await Task.WhenAll(resumed);
        GrainLogMessages.Swept(logger, resumed.Count, endpoints.Count);
    }
}
