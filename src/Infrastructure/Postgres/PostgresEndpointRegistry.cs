using System.Data.Common;
using System.Text.Json;
using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// Endpoints in <c>herald_endpoints</c>; the URL is unique in the table, so concurrent registrations of one URL
/// on any number of gateways keep one row. Subscriber lists are cached per topic and dropped when any process
/// changes an endpoint (it notifies <c>herald_endpoints</c>). Secrets and header values are sealed in the table
/// (<see cref="StoredSecrets"/>) with the key ring every process shares (<see cref="PostgresKeyRing"/>).
/// </summary>
internal sealed class PostgresEndpointRegistry : IEndpointRegistry, IPlainSecretSealer
{
    private const string Columns = "id, url, topics, secret, headers::text, description, created_at, start_after_seq, enabled, disabled_reason, disabled_at";

    // Read, never written: the database assigns it.
    private const string SelectColumns = Columns + ", ordinal";
    private const long KeyRingLockKey = 7265796101;
    private readonly NpgsqlDataSource _dataSource;
    private readonly StoredSecrets _secrets;
    private readonly TopicSubscriberCache _subscribers = new();

    public PostgresEndpointRegistry(NpgsqlDataSource dataSource, PostgresNotifications notifications, StoredSecrets secrets)
    {
        _dataSource = dataSource;
        _secrets = secrets;
        notifications.EndpointsChanged += _ => Invalidate();
    }

    public async ValueTask<EndpointDefinition?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {SelectColumns} FROM herald_endpoints WHERE id = $1", [id], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public async ValueTask<EndpointDefinition?> FindByUrlAsync(string url, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {SelectColumns} FROM herald_endpoints WHERE url = $1", [url], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public async ValueTask<IReadOnlyList<EndpointDefinition>> ListAsync(CancellationToken cancellationToken = default) =>
        await QueryAsync($"SELECT {SelectColumns} FROM herald_endpoints ORDER BY ordinal", [], cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT count(*) FROM herald_endpoints");
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public ValueTask<IReadOnlyList<EndpointDefinition>> GetSubscribersAsync(string topic, CancellationToken cancellationToken = default) =>
        _subscribers.GetAsync(topic, async ct => await QueryAsync($"SELECT {SelectColumns} FROM herald_endpoints WHERE enabled ORDER BY ordinal", [], ct).ConfigureAwait(false), cancellationToken);

    public async ValueTask<(EndpointDefinition Endpoint, bool Created)> AddAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            $"WITH added AS (INSERT INTO herald_endpoints ({Columns.Replace("::text", string.Empty, StringComparison.Ordinal)}) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (url) DO NOTHING RETURNING id, ordinal) " +
            $"SELECT ordinal, pg_notify('{PostgresNotifications.EndpointsChannel}', id) FROM added");
        AddParameters(command.Parameters, endpoint);
        var ordinal = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
        Invalidate();
        return ordinal is { } assigned
            ? (endpoint with { Ordinal = assigned }, true)
            : ((await FindByUrlAsync(endpoint.Url, cancellationToken).ConfigureAwait(false))!, false);
    }

    public async ValueTask UpdateAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            "UPDATE herald_endpoints SET url = $2, topics = $3, secret = $4, headers = $5, description = $6, created_at = $7, " +
            "start_after_seq = $8, enabled = $9, disabled_reason = $10, disabled_at = $11 WHERE id = $1 " +
            $"RETURNING pg_notify('{PostgresNotifications.EndpointsChannel}', id)");
        AddParameters(command.Parameters, endpoint);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Invalidate();
    }

    public async ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            $"WITH removed AS (DELETE FROM herald_endpoints WHERE id = $1 RETURNING id) SELECT id, pg_notify('{PostgresNotifications.EndpointsChannel}', id) FROM removed");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        var removed = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string;
        Invalidate();
        return removed;
    }

    public async Task<int> SealPlainSecretsAsync(CancellationToken cancellationToken)
    {
        // One process at a time. The first of a new cluster makes the ring's first key while the others wait, so they
        // load that key instead of each making its own: a key another process made after this one loaded its ring is
        // not seen here until Data Protection's next refresh, a day later.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({KeyRingLockKey})", connection))
            await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _secrets.LoadKeyRing();
            return await SealPlainRowsAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({KeyRingLockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<int> SealPlainRowsAsync(CancellationToken cancellationToken)
    {
        var rows = new List<(string Id, string? Secret, string HeadersJson)>();
        await using (var read = _dataSource.CreateCommand("SELECT id, secret, headers::text FROM herald_endpoints"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2)));
        }

        var sealedCount = 0;
        foreach (var (id, storedSecret, headersJson) in rows)
        {
            // Opening every row, sealed or not, proves at start that the key ring is the one the data was written with.
            var storedHeaders = Headers(headersJson);
            var secret = _secrets.Open(storedSecret);
            var headers = _secrets.Open(storedHeaders);
            if (!StoredSecrets.HasPlain(storedSecret, storedHeaders))
                continue;

            // Only if the row is still what was read: another process may be sealing it too, and a change made since
            // was written sealed already.
            await using var update = _dataSource.CreateCommand(
                "UPDATE herald_endpoints SET secret = $2, headers = $3 WHERE id = $1 AND secret IS NOT DISTINCT FROM $4 AND headers = $5::jsonb");
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)_secrets.Seal(secret) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(_secrets.Seal(headers)), NpgsqlDbType = NpgsqlDbType.Jsonb });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)storedSecret ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = headersJson, NpgsqlDbType = NpgsqlDbType.Text });
            sealedCount += await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return sealedCount;
    }

    private void Invalidate() => _subscribers.Invalidate();

    private void AddParameters(NpgsqlParameterCollection p, EndpointDefinition e)
    {
        p.Add(new NpgsqlParameter<string> { TypedValue = e.Id });
        p.Add(new NpgsqlParameter<string> { TypedValue = e.Url });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = e.Topics.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = (object?)_secrets.Seal(e.Secret) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(_secrets.Seal(e.Headers)), NpgsqlDbType = NpgsqlDbType.Jsonb });
        p.Add(new NpgsqlParameter { Value = (object?)e.Description ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = e.CreatedAt.ToUniversalTime() });
        p.Add(new NpgsqlParameter<long> { TypedValue = e.StartAfterSeq });
        p.Add(new NpgsqlParameter<bool> { TypedValue = e.Enabled });
        p.Add(new NpgsqlParameter { Value = (object?)e.DisabledReason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = (object?)e.DisabledAt?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
    }

    private async Task<List<EndpointDefinition>> QueryAsync(string sql, string[] parameters, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        foreach (var value in parameters)
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = value });
        var endpoints = new List<EndpointDefinition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            endpoints.Add(_secrets.Open(Read(reader)));
        return endpoints;
    }

    private static Dictionary<string, string> Headers(string json) => JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    /// <summary>The row as stored: its secrets still sealed.</summary>
    private static EndpointDefinition Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Url = reader.GetString(1),
        Topics = reader.GetFieldValue<string[]>(2),
        Secret = reader.IsDBNull(3) ? null : reader.GetString(3),
        Headers = Headers(reader.GetString(4)),
        Description = reader.IsDBNull(5) ? null : reader.GetString(5),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
        StartAfterSeq = reader.GetInt64(7),
        Enabled = reader.GetBoolean(8),
        DisabledReason = reader.IsDBNull(9) ? null : reader.GetString(9),
        DisabledAt = reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
        Ordinal = reader.GetInt64(11),
    };
}
