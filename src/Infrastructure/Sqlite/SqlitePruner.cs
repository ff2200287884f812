using Herald.Grains.Delivery;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// Retention for the data file (<see cref="LogRetention"/>), a batch per transaction. Freed pages are reused by later
/// writes, so the file stops growing once retention is reached.
/// </summary>
internal sealed class SqlitePruner(
    SqliteDatabase database,
    SqliteMessageLog log,
    IOptions<SqliteOptions> options,
    IOptions<LogOptions> streamOptions,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time,
    ILogger<SqlitePruner> logger) : LogRetention(options.Value, streamOptions, deliveryOptions, time, logger)
{
    protected override string Database => "the data file";

    protected override Task<(long Pruned, long Through)> PruneLogBatchAsync(CancellationToken cancellationToken)
    {
        var retention = Retention;
        var cutoff = SqliteValues.Ticks(Now - retention.RetentionAge);
        return database.WriteAsync(commands =>
        {
            // The newest RetentionCount entries stay; of the rest, a batch of the oldest (or anything past the age) goes.
            var head = (long)commands.Command("SELECT coalesce(max(seq), 0) FROM herald_log").ExecuteScalar()!;
            var last = commands.Command(
                """
                SELECT max(seq) FROM (
                    SELECT seq FROM herald_log WHERE seq <= $1 - $2 OR created_at < $3 ORDER BY seq LIMIT $4)
                """, head, retention.RetentionCount, cutoff, BatchSize).ExecuteScalar();
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

    protected override Task<long> PruneAttemptsBatchAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(commands => (long)commands.Command(
            """
            DELETE FROM herald_attempts WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY id DESC) AS rank FROM herald_attempts)
                WHERE rank > $1 LIMIT $2)
            """, AttemptsPerEndpoint, BatchSize).ExecuteNonQuery());
}
