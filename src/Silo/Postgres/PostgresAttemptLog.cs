using Herald.Contracts;
using Herald.Silo.Cluster;
using Herald.Silo.Storage;
using Herald.Storage;
using Npgsql;

namespace Herald.Silo.Postgres;

/// <summary>The attempt log in <c>herald_attempts</c>: inserts are group-committed, retention is enforced by the pruner.</summary>
internal sealed class PostgresAttemptLog(
    NpgsqlDataSource dataSource, PostgresWriteBatcher writes, Microsoft.Extensions.Options.IOptions<Grains.Delivery.DeliveryOptions> options,
    AttemptCounter counter, SiloIdentity identity) : IAttemptLog
{
    public ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        counter.Record(attempt.Outcome);
        return new(writes.AppendAttemptAsync(attempt));
    }

    public async ValueTask<(IReadOnlyList<DeliveryAttempt> Attempts, int Total)> ListAsync(string endpointId, int limit, CancellationToken cancellationToken = default)
    {
        await using var batch = dataSource.CreateBatch();
        var list = new NpgsqlBatchCommand(
            "SELECT endpoint_id, message_id, attempt, at, status_code, latency_ms, error, response_body, outcome, next_retry_at " +
            "FROM herald_attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2");
        list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpointId });
        list.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var count = new NpgsqlBatchCommand("SELECT count(*) FROM herald_attempts WHERE endpoint_id = $1");
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpointId });
        batch.BatchCommands.Add(list);
        batch.BatchCommands.Add(count);

        var attempts = new List<DeliveryAttempt>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            attempts.Add(new DeliveryAttempt
            {
                EndpointId = reader.GetString(0),
                MessageId = reader.GetInt64(1),
                Attempt = reader.GetInt32(2),
                Timestamp = reader.GetFieldValue<DateTimeOffset>(3),
                StatusCode = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                LatencyMs = reader.GetDouble(5),
                Error = reader.IsDBNull(6) ? null : reader.GetString(6),
                ResponseBody = reader.IsDBNull(7) ? null : reader.GetString(7),
                Outcome = reader.GetString(8),
                NextRetryAt = reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
            });
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var total = (int)Math.Min(reader.GetInt64(0), options.Value.AttemptRetentionPerEndpoint);
        return (attempts, total);
    }

    /// <summary>
    /// This process's live totals plus those the other silos last published with their heartbeats (up to one
    /// heartbeat old). A silo's totals leave the sum when its row is cleaned up, long after it stopped.
    /// </summary>
    public async ValueTask<AttemptTotals> ReadTotalsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT coalesce(sum(attempts_succeeded), 0)::bigint, coalesce(sum(attempts_failed), 0)::bigint FROM herald_silos WHERE id <> $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var local = counter.Totals;
        return new AttemptTotals(local.Succeeded + reader.GetInt64(0), local.Failed + reader.GetInt64(1));
    }

    public async ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM herald_attempts WHERE endpoint_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpointId });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

}
