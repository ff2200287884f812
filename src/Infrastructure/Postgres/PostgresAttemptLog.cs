using Herald.Contracts;
using Herald.Storage;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>The attempt log in <c>herald_attempts</c>: inserts are group-committed, retention is enforced by the pruner.</summary>
internal sealed class PostgresAttemptLog(
    NpgsqlDataSource dataSource, PostgresWriteBatcher writes, Microsoft.Extensions.Options.IOptions<Grains.Delivery.DeliveryOptions> options) : IAttemptLog
{
    public ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default) => new(writes.AppendAttemptAsync(attempt));

    public async ValueTask<(IReadOnlyList<DeliveryAttempt> Attempts, int Total)> ListAsync(string endpointId, int limit, CancellationToken cancellationToken = default)
    {
        // One statement, so the page and the total come from one snapshot: two would let an attempt committed in
        // between be counted but not listed.
        await using var command = dataSource.CreateCommand(
            "WITH total AS (SELECT count(*) AS n FROM herald_attempts WHERE endpoint_id = $1) " +
            "SELECT a.endpoint_id, a.message_id, a.attempt, a.at, a.status_code, a.latency_ms, a.error, a.response_body, a.outcome, a.next_retry_at, total.n " +
            "FROM total LEFT JOIN LATERAL (SELECT * FROM herald_attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2) a ON true " +
            "ORDER BY a.id DESC");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpointId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });

        var attempts = new List<DeliveryAttempt>();
        long counted = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counted = reader.GetInt64(10);
            if (reader.IsDBNull(0))
                continue;
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

        var total = (int)Math.Min(counted, options.Value.AttemptRetentionPerEndpoint);
        return (attempts, total);
    }

    public async ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM herald_attempts WHERE endpoint_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpointId });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

}
