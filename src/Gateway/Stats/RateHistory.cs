using System.Diagnostics;
using Herald.Infrastructure.Cluster;
using Herald.Storage;
using Herald.MessageLog;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Stats;

/// <summary>
/// Samples running totals on a timer and keeps the recent rates: messages appended to the log (pushes and inbound
/// events, read off the log head, so cluster-wide), and delivery attempts that succeeded or failed (from the
/// silos' reported totals, also cluster-wide). The history starts when the gateway does.
/// </summary>
public sealed class RateHistory(IMessageLog log, ClusterView cluster, TimeProvider time, IOptions<RateOptions> options, ILogger<RateHistory> logger)
    : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly Queue<RateSample> _samples = new();

    public IReadOnlyList<RateSample> Samples
    {
        get
        {
            lock (_gate)
                return [.. _samples];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        Reading? previous = null;
        using var timer = new PeriodicTimer(settings.SampleInterval, time);
        try
        {
            do
            {
                previous = await SampleAsync(previous, settings.Capacity, stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<Reading?> SampleAsync(Reading? previous, int capacity, CancellationToken cancellationToken)
    {
        try
        {
            var current = new Reading(
                Stopwatch.GetTimestamp(),
                (await log.GetBoundsAsync(cancellationToken).ConfigureAwait(false)).Head,
                cluster.ReadAttemptTotals());
            if (previous is { } before)
                Add(before, current, capacity);
            return current;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A reading that fails (PostgreSQL away) is skipped: the next sample spans both intervals, and its
            // seconds say so, so no count is lost.
            GatewayLogMessages.RateSampleFailed(logger, exception);
            return previous;
        }
    }

    private void Add(Reading before, Reading now, int capacity)
    {
        var seconds = Stopwatch.GetElapsedTime(before.Timestamp, now.Timestamp).TotalSeconds;
        if (seconds <= 0)
            return;
        var pushes = Math.Max(0, now.LogHead - before.LogHead);
        var deliveries = Math.Max(0, now.Attempts.Succeeded - before.Attempts.Succeeded);
        var failures = Math.Max(0, now.Attempts.Failed - before.Attempts.Failed);
        var sample = new RateSample(time.GetUtcNow(), seconds, pushes, deliveries, failures, pushes / seconds, deliveries / seconds, failures / seconds);
        lock (_gate)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > capacity)
                _samples.Dequeue();
        }
    }

    private readonly record struct Reading(long Timestamp, long LogHead, AttemptTotals Attempts);
}
