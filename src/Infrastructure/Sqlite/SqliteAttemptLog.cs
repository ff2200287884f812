using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using static Herald.Infrastructure.Sqlite.SqliteValues;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// The attempt log in <c>herald_attempts</c>. Attempts are lazy writes: a fan-out's thousand attempts gather for
/// <see cref="SqliteOptions.WriteLinger"/> into one write and are committed together. Retention is the pruner's.
/// </summary>
internal sealed class SqliteAttemptLog(SqliteDatabase database, IOptions<DeliveryOptions> options) : IAttemptLog
{
    private const string Columns = "endpoint_id, message_id, attempt, at, status_code, latency_ms, error, response_body, outcome, next_retry_at";
    private readonly Lock _gate = new();
    private List<DeliveryAttempt> _waiting = [];
    private Task<int>? _flush;

    public ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            // Every attempt made while a flush waits for the writer joins it: one write, however many attempts. A flush
            // that failed before it took them (its transaction could not begin) leaves them to the next one.
            _waiting.Add(attempt);
            if (_flush is not { IsCompleted: false })
                _flush = database.WriteAsync(new AttemptFlush(this).Run, lazy: true);
            return new(_flush);
        }
    }

    private List<DeliveryAttempt> TakeWaiting()
    {
        lock (_gate)
        {
            var taken = _waiting;
            _waiting = [];
            _flush = null;
            return taken;
        }
    }

    /// <summary>One flush: it takes the waiting attempts when it first runs, and the same ones if its transaction runs again.</summary>
    private sealed class AttemptFlush(SqliteAttemptLog log)
    {
        private List<DeliveryAttempt>? _attempts;

        public int Run(SqliteCommands commands)
        {
            _attempts ??= log.TakeWaiting();
            foreach (var a in _attempts)
            {
                commands.Command(
                    $"INSERT INTO herald_attempts ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    a.EndpointId, a.MessageId, a.Attempt, Ticks(a.Timestamp), a.StatusCode, a.LatencyMs, a.Error, a.ResponseBody, a.Outcome, Ticks(a.NextRetryAt)).ExecuteNonQuery();
            }

            return _attempts.Count;
        }
    }

    public async ValueTask<(IReadOnlyList<DeliveryAttempt> Attempts, int Total)> ListAsync(string endpointId, int limit, CancellationToken cancellationToken = default)
    {
        // One snapshot, so the page and the total agree.
        var (attempts, counted) = await database.ReadSnapshotAsync(c =>
        {
            var total = (long)Scalar(c, "SELECT count(*) FROM herald_attempts WHERE endpoint_id = $1", endpointId)!;
            var page = Query(c, $"SELECT {Columns} FROM herald_attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2", Read, endpointId, limit);
            return (page, total);
        }).ConfigureAwait(false);
        return (attempts, (int)Math.Min(counted, options.Value.AttemptRetentionPerEndpoint));
    }

    public async ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands => commands.Command("DELETE FROM herald_attempts WHERE endpoint_id = $1", endpointId).ExecuteNonQuery()).ConfigureAwait(false);

    private static DeliveryAttempt Read(SqliteDataReader reader) => new()
    {
        EndpointId = reader.GetString(0),
        MessageId = reader.GetInt64(1),
        Attempt = reader.GetInt32(2),
        Timestamp = Time(reader, 3),
        StatusCode = reader.IsDBNull(4) ? null : reader.GetInt32(4),
        LatencyMs = reader.GetDouble(5),
        Error = NullableString(reader, 6),
        ResponseBody = NullableString(reader, 7),
        Outcome = reader.GetString(8),
        NextRetryAt = NullableTime(reader, 9),
    };
}
