using Herald.Grains.Delivery;
using Herald.Silo.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Postgres;

/// <summary>
/// Enforces retention in batches: log entries beyond the count or age limit (recording how far it pruned, so
/// readers can tell a pruned gap from a rolled-back sequence value), and attempts beyond the per-endpoint limit.
/// </summary>
internal sealed class PostgresPruner(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> options,
    IOptions<StreamOptions> streamOptions,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time,
    ILogger<PostgresPruner> logger) : BackgroundService
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
                    await PruneOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException && StorageErrors.IsUnavailable(exception))
                {
                    PostgresLog.PruneDeferred(logger, exception.Message);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    PostgresLog.PruneFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task PruneOnceAsync(CancellationToken cancellationToken)
    {
        long entries = 0, attempts = 0, through = 0;
        long pruned;
        do
        {
            (pruned, through) = await PruneLogBatchAsync(cancellationToken).ConfigureAwait(false);
            entries += pruned;
        }
        while (pruned == options.Value.PruneBatchSize);

        do
        {
            pruned = await PruneAttemptsBatchAsync(cancellationToken).ConfigureAwait(false);
            attempts += pruned;
        }
        while (pruned == options.Value.PruneBatchSize);

        if (entries > 0)
        {
            // Every process drops what it keeps in memory of the pruned stretch (see LogTailCache).
            await using var notify = dataSource.CreateCommand($"SELECT pg_notify('{PostgresNotifications.PrunedChannel}', $1)");
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = through.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (entries + attempts > 0)
            PostgresLog.Pruned(logger, entries, through, attempts);
    }

    private async Task<(long Pruned, long Through)> PruneLogBatchAsync(CancellationToken cancellationToken)
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
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = streamOptions.Value.RetentionCount });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = streamOptions.Value.RetentionAge });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Value.PruneBatchSize });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<long> PruneAttemptsBatchAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            DELETE FROM herald_attempts WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY id DESC) AS rank FROM herald_attempts) ranked
                WHERE rank > $1 LIMIT $2)
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = deliveryOptions.Value.AttemptRetentionPerEndpoint });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Value.PruneBatchSize });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
