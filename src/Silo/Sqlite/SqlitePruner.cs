using Herald.Grains.Delivery;
using Herald.Silo.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Sqlite;

/// <summary>
/// Retention for the data file, as the PostgreSQL pruner does it for a cluster: log entries beyond the count or age
/// limit (recording how far it pruned), and attempts beyond the per-endpoint limit, a batch per transaction. Freed
/// pages are reused by later writes, so the file stops growing once retention is reached.
/// </summary>
internal sealed partial class SqlitePruner(
    SqliteDatabase database,
    SqliteStreamLog log,
    IOptions<SqliteOptions> options,
    IOptions<StreamOptions> streamOptions,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time,
    ILogger<SqlitePruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await PruneOnceAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    PruneFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task PruneOnceAsync()
    {
        long entries = 0, attempts = 0, through = 0;
        long pruned;
        do
        {
            (pruned, through) = await PruneLogBatchAsync().ConfigureAwait(false);
            entries += pruned;
        }
        while (pruned == options.Value.PruneBatchSize);

        do
        {
            pruned = await PruneAttemptsBatchAsync().ConfigureAwait(false);
            attempts += pruned;
        }
        while (pruned == options.Value.PruneBatchSize);

        if (entries + attempts > 0)
            Pruned(logger, entries, through, attempts);
    }

    private Task<(long Pruned, long Through)> PruneLogBatchAsync()
    {
        var retention = streamOptions.Value;
        var cutoff = SqliteValues.Ticks(time.GetUtcNow() - retention.RetentionAge);
        return database.WriteAsync(commands =>
        {
            // The newest RetentionCount entries stay; of the rest, a batch of the oldest (or anything past the age) goes.
            var head = (long)commands.Command("SELECT coalesce(max(seq), 0) FROM herald_log").ExecuteScalar()!;
            var last = commands.Command(
                """
                SELECT max(seq) FROM (
                    SELECT seq FROM herald_log WHERE seq <= $1 - $2 OR created_at < $3 ORDER BY seq LIMIT $4)
                """, head, retention.RetentionCount, cutoff, options.Value.PruneBatchSize).ExecuteScalar();
            if (last is not long through)
                return (0L, 0L);

            // Whatever the age rule spares below the newest doomed entry goes with it: retention is a prefix of the log.
            var deleted = commands.Command("DELETE FROM herald_log WHERE seq <= $1", through).ExecuteNonQuery();
            commands.Command("UPDATE herald_log_meta SET pruned_through = max(pruned_through, $1)", through).ExecuteNonQuery();
            return ((long)deleted, through);
        }, pruned =>
        {
            if (pruned.Item1 > 0)
                log.Pruned(pruned.Item2);
        });
    }

    private Task<long> PruneAttemptsBatchAsync() =>
        database.WriteAsync(commands => (long)commands.Command(
            """
            DELETE FROM herald_attempts WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY id DESC) AS rank FROM herald_attempts)
                WHERE rank > $1 LIMIT $2)
            """, deliveryOptions.Value.AttemptRetentionPerEndpoint, options.Value.PruneBatchSize).ExecuteNonQuery());

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Pruned {Entries} log entries (through {Seq}) and {Attempts} attempts from the data file")]
    private static partial void Pruned(ILogger logger, long entries, long seq, long attempts);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Retention pruning of the data file failed; it runs again at the next interval")]
    private static partial void PruneFailed(ILogger logger, Exception exception);
}
