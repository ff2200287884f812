using Herald.Grains.Delivery;
using Herald.Infrastructure.MessageLog;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Retention of the log and the attempt log, the same for every database: at each <see cref="DatabaseOptions.PruneInterval"/>,
/// log entries beyond the count or age limit (recording how far it pruned, so readers can tell a pruned gap from a
/// rolled-back sequence value), then attempts beyond the per-endpoint limit, a batch per statement so pruning never
/// holds long locks. A database away defers it to the next interval in one line.
/// </summary>
internal abstract partial class LogRetention(
    DatabaseOptions options, IOptions<LogOptions> log, IOptions<DeliveryOptions> delivery, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>What the log keeps: the newest <c>RetentionCount</c> entries, none older than <c>RetentionAge</c>.</summary>
    protected LogOptions Retention => log.Value;

    /// <summary>How many attempts each endpoint keeps.</summary>
    protected int AttemptsPerEndpoint => delivery.Value.AttemptRetentionPerEndpoint;

    protected int BatchSize => options.PruneBatchSize;

    protected DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Named in log lines: which database pruned.</summary>
    protected abstract string Database { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PruneInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await PruneOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException && StorageErrors.IsUnavailable(exception))
                {
                    PruneDeferred(logger, Database, exception.GetBaseException().Message);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    PruneFailed(logger, Database, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task PruneOnceAsync(CancellationToken cancellationToken = default)
    {
        long entries = 0, attempts = 0, through = 0;
        long pruned;
        do
        {
            (pruned, var last) = await PruneLogBatchAsync(cancellationToken).ConfigureAwait(false);
            entries += pruned;
            through = Math.Max(through, last);
        }
        while (pruned == options.PruneBatchSize);

        do
        {
            pruned = await PruneAttemptsBatchAsync(cancellationToken).ConfigureAwait(false);
            attempts += pruned;
        }
        while (pruned == options.PruneBatchSize);

        if (entries > 0)
            await LogPrunedAsync(through, cancellationToken).ConfigureAwait(false);
        if (entries + attempts > 0)
            Pruned(logger, entries, through, attempts, Database);
    }

    /// <summary>Deletes up to <see cref="BatchSize"/> entries the retention no longer keeps; returns how many, and the sequence pruned through.</summary>
    protected abstract Task<(long Pruned, long Through)> PruneLogBatchAsync(CancellationToken cancellationToken);

    /// <summary>Deletes up to <see cref="BatchSize"/> attempts beyond each endpoint's <see cref="AttemptsPerEndpoint"/>; returns how many.</summary>
    protected abstract Task<long> PruneAttemptsBatchAsync(CancellationToken cancellationToken);

    /// <summary>After a run that pruned log entries through <paramref name="through"/>: what the database tells other readers.</summary>
    protected virtual Task LogPrunedAsync(long through, CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Pruned {Entries} log entries (through {Seq}) and {Attempts} attempts from {Database}")]
    private static partial void Pruned(ILogger logger, long entries, long seq, long attempts, string database);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "Retention pruning of {Database} failed; it runs again at the next interval")]
    private static partial void PruneFailed(ILogger logger, string database, Exception exception);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Retention pruning waits for {Database} ({Reason}); it runs again at the next interval")]
    private static partial void PruneDeferred(ILogger logger, string database, string reason);
}
