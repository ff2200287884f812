using Herald.Contracts;
using Herald.Storage;
using Npgsql;

namespace Herald.Silo.Postgres;

/// <summary>The attempt log in <c>herald_attempts</c>: inserts are group-committed, retention is enforced by the pruner.</summary>
internal sealed class PostgresAttemptLog(NpgsqlDataSource dataSource, PostgresWriteBatcher writes, Microsoft.Extensions.Options.IOptions<Grains.Delivery.DeliveryOptions> options) : IAttemptLog
{
    private readonly SemaphoreSlim _totalsGate = new(1, 1);
    private long? _countedThrough;
    private AttemptTotals _totals;
    public ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default) =>
        new(writes.AppendAttemptAsync(attempt));

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
    /// Counts the rows inserted since the last reading by walking the primary key forward, so each reading costs
    /// only the new rows. A row whose id was allocated before a reading but committed after it is not counted;
    /// the totals are for rates, where that is noise.
    /// </summary>
    public async ValueTask<AttemptTotals> ReadTotalsAsync(CancellationToken cancellationToken = default)
    {
        await _totalsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_countedThrough is not { } after)
            {
                await using var head = dataSource.CreateCommand("SELECT coalesce(max(id), 0) FROM herald_attempts");
                _countedThrough = (long)(await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                return _totals;
            }

            await using var command = dataSource.CreateCommand(
                "SELECT coalesce(max(id), $1), count(*) FILTER (WHERE outcome = $2), count(*) FILTER (WHERE outcome <> $2) " +
                "FROM herald_attempts WHERE id > $1");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AttemptOutcome.Succeeded });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _countedThrough = reader.GetInt64(0);
            _totals = new AttemptTotals(_totals.Succeeded + reader.GetInt64(1), _totals.Failed + reader.GetInt64(2));
            return _totals;
        }
        finally
        {
            _totalsGate.Release();
        }
    }

    public async ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM herald_attempts WHERE endpoint_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpointId });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

}
