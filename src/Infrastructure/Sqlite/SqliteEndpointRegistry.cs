using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.Data.Sqlite;
using static Herald.Infrastructure.Sqlite.SqliteValues;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// Endpoints in <c>herald_endpoints</c>; the URL is unique in the table, so one URL is registered once however many
/// requests race. Subscriber lists are cached per topic and dropped on any change (this process makes them all).
/// Secrets and header values are sealed in the file (<see cref="StoredSecrets"/>).
/// </summary>
internal sealed class SqliteEndpointRegistry(SqliteDatabase database, StoredSecrets secrets) : IEndpointRegistry, IPlainSecretSealer
{
    private const string Columns = "id, url, topics, secret, headers, description, created_at, start_after_seq, enabled, disabled_reason, disabled_at, ordinal";
    private readonly TopicSubscriberCache _subscribers = new();

    public async ValueTask<EndpointDefinition?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await SelectAsync("WHERE id = $1", id).ConfigureAwait(false)).FirstOrDefault();

    public async ValueTask<EndpointDefinition?> FindByUrlAsync(string url, CancellationToken cancellationToken = default) =>
        (await SelectAsync("WHERE url = $1", url).ConfigureAwait(false)).FirstOrDefault();

    public async ValueTask<IReadOnlyList<EndpointDefinition>> ListAsync(CancellationToken cancellationToken = default) =>
        await SelectAsync("ORDER BY ordinal").ConfigureAwait(false);

    public async ValueTask<int> CountAsync(CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => (int)(long)Scalar(c, "SELECT count(*) FROM herald_endpoints")!).ConfigureAwait(false);

    public ValueTask<IReadOnlyList<EndpointDefinition>> GetSubscribersAsync(string topic, CancellationToken cancellationToken = default) =>
        _subscribers.GetAsync(topic, async _ => await SelectAsync("WHERE enabled ORDER BY ordinal").ConfigureAwait(false), cancellationToken);

    public async ValueTask<(EndpointDefinition Endpoint, bool Created)> AddAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default)
    {
        // Sealed here, not on the file's one writer thread.
        var values = Values(endpoint);
        var added = await database.WriteAsync(commands =>
        {
            var ordinal = commands.Command(
                "INSERT INTO herald_endpoints (id, url, topics, secret, headers, description, created_at, start_after_seq, enabled, disabled_reason, disabled_at) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (url) DO NOTHING RETURNING ordinal", values).ExecuteScalar();
            return ordinal is long assigned
                ? (endpoint with { Ordinal = assigned }, true)
                : (secrets.Open(ReadAll(commands.Command($"SELECT {Columns} FROM herald_endpoints WHERE url = $1", endpoint.Url), Read)[0]), false);
        }, _ => Invalidate()).ConfigureAwait(false);
        return added;
    }

    public async ValueTask UpdateAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default)
    {
        var values = Values(endpoint);
        await database.WriteAsync(commands => commands.Command(
            "UPDATE herald_endpoints SET url = $2, topics = $3, secret = $4, headers = $5, description = $6, created_at = $7, " +
            "start_after_seq = $8, enabled = $9, disabled_reason = $10, disabled_at = $11 WHERE id = $1", values).ExecuteNonQuery(),
            _ => Invalidate()).ConfigureAwait(false);
    }

    public async ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands => commands.Command("DELETE FROM herald_endpoints WHERE id = $1", id).ExecuteNonQuery() == 1,
            _ => Invalidate()).ConfigureAwait(false);

    public async Task<int> SealPlainSecretsAsync(CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(c => Query(c, "SELECT id, secret, headers FROM herald_endpoints",
            r => (Id: r.GetString(0), Secret: NullableString(r, 1), HeadersJson: r.GetString(2), Headers: Map(r, 2)))).ConfigureAwait(false);
        var sealedCount = 0;
        foreach (var row in rows)
        {
            // Opening every row, sealed or not, proves at start that the key ring is the one the data was written with.
            var secret = secrets.Open(row.Secret);
            var headers = secrets.Open(row.Headers);
            if (!StoredSecrets.HasPlain(row.Secret, row.Headers))
                continue;

            // Only if the row is still what was read: a change since then was written sealed already.
            sealedCount += await database.WriteAsync(commands => commands.Command(
                "UPDATE herald_endpoints SET secret = $2, headers = $3 WHERE id = $1 AND secret IS $4 AND headers = $5",
                row.Id, secrets.Seal(secret), Json(secrets.Seal(headers)), row.Secret, row.HeadersJson).ExecuteNonQuery(), _ => Invalidate()).ConfigureAwait(false);
        }

        return sealedCount;
    }

    private void Invalidate() => _subscribers.Invalidate();

    private Task<List<EndpointDefinition>> SelectAsync(string clause, params object?[] values) =>
        database.ReadAsync(c => Query(c, $"SELECT {Columns} FROM herald_endpoints {clause}", r => secrets.Open(Read(r)), values));

    private object?[] Values(EndpointDefinition e) =>
    [
        e.Id, e.Url, Json(e.Topics), secrets.Seal(e.Secret), Json(secrets.Seal(e.Headers)), e.Description, Ticks(e.CreatedAt), e.StartAfterSeq, e.Enabled,
        e.DisabledReason, Ticks(e.DisabledAt),
    ];

    /// <summary>The row as stored: its secrets still sealed.</summary>
    private static EndpointDefinition Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Url = reader.GetString(1),
        Topics = Strings(reader, 2),
        Secret = NullableString(reader, 3),
        Headers = Map(reader, 4),
        Description = NullableString(reader, 5),
        CreatedAt = Time(reader, 6),
        StartAfterSeq = reader.GetInt64(7),
        Enabled = reader.GetBoolean(8),
        DisabledReason = NullableString(reader, 9),
        DisabledAt = NullableTime(reader, 10),
        Ordinal = reader.GetInt64(11),
    };
}
