using Herald.Grains.Delivery;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// Retention in PostgreSQL (<see cref="LogRetention"/>); after pruning the log it tells every process how far, so each
/// drops what it keeps in memory of the pruned stretch (see <see cref="LogTailCache"/>).
/// </summary>
internal sealed class PostgresPruner(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> options,
    IOptions<LogOptions> streamOptions,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time,
    ILogger<PostgresPruner> logger) : LogRetention(options.Value, streamOptions, deliveryOptions, time, logger)
{
    protected override string Database => "PostgreSQL";

    protected override async Task LogPrunedAsync(long through, CancellationToken cancellationToken)
    {
        await using var notify = dataSource.CreateCommand($"SELECT pg_notify('{PostgresNotifications.PrunedChannel}', $1)");
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = through.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task<(long Pruned, long Through)> PruneLogBatchAsync(CancellationToken cancellationToken)
    {
        // The newest RetentionCount entries stay; of the rest, a batch of the oldest (or anything past the age) goes.
        await using var command = dataSource.CreateCommand(
            """
            WITH head AS (SELECT coalesce(max(seq), 0) AS seq FROM herald_log),
            doomed AS (
                SELECT seq FROM herald_log
                WHERE seq <= (SELECT seq FROM head) - $1 OR created_at < now() - $2::interval
                ORDER BY seq LIMIT $3),
            deleted AS (DELETE FROM herald_log WHERE seq IN (SELECT seq FROM doomed) RETURNING seq),
            marked AS (
                UPDATE herald_log_meta SET pruned_through = greatest(pruned_through, (SELECT max(seq) FROM deleted))
                WHERE EXISTS (SELECT 1 FROM deleted) RETURNING pruned_through)
            SELECT (SELECT count(*) FROM deleted), coalesce((SELECT pruned_through FROM marked), 0)
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Retention.RetentionCount });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Retention.RetentionAge });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    protected override async Task<long> PruneAttemptsBatchAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            DELETE FROM herald_attempts WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY id DESC) AS rank FROM herald_attempts) ranked
                WHERE rank > $1 LIMIT $2)
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = AttemptsPerEndpoint });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
