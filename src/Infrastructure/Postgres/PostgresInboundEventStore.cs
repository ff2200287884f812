using System.Data.Common;
using System.Text;
using System.Text.Json;
using Herald.Contracts;
using Herald.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// Inbound events in <c>herald_events</c>. Storing is one call to <c>herald_append_event</c>, which checks for the
/// delivery id and appends to the log under the append lock, so concurrent duplicates on any number of gateways
/// are stored once.
/// </summary>
internal sealed class PostgresInboundEventStore(NpgsqlDataSource dataSource, PostgresNotifications notifications) : IInboundEventStore
{
    private const string Columns = "id, source, type, delivery_id, received_at, headers::text, payload, summary::text";

    public async ValueTask<(InboundEvent Event, bool Created)> AppendAsync(InboundEventDraft draft, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT event_id, received_at, created FROM herald_append_event($1, $2, $3, $4, $5, $6, $7)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = draft.Source });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)draft.Type ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = draft.DeliveryId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(draft.Headers), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = draft.Payload });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = draft.Summary, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = draft.Message });
        long id;
        bool created;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            (id, created) = (reader.GetInt64(0), reader.GetBoolean(2));
        }

        if (created)
            notifications.Advance(id);
        return ((await GetAsync(id, cancellationToken).ConfigureAwait(false))!, created);
    }

    public async ValueTask<InboundEvent?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM herald_events WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async ValueTask<IReadOnlyList<InboundEvent>> QueryAsync(InboundQuery query, CancellationToken cancellationToken = default)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM herald_events WHERE true");
        await using var command = dataSource.CreateCommand();
        void Where(string condition, NpgsqlParameter parameter)
        {
            command.Parameters.Add(parameter);
            sql.Append(" AND ").Append(condition.Replace("?", "$" + command.Parameters.Count, StringComparison.Ordinal));
        }

        if (query.Source is not null)
            Where("source = ?", new NpgsqlParameter<string> { TypedValue = query.Source });
        if (query.Type is not null)
            Where("type = ?", new NpgsqlParameter<string> { TypedValue = query.Type });
        if (query.AfterId is not null)
            Where("id > ?", new NpgsqlParameter<long> { TypedValue = query.AfterId.Value });
        if (query.Since is not null)
            Where("received_at >= ?", new NpgsqlParameter<DateTimeOffset> { TypedValue = query.Since.Value.ToUniversalTime() });
        if (query.Sources is not null)
            Where("source = ANY(?)", new NpgsqlParameter<string[]> { TypedValue = query.Sources.ToArray() });
        if (query.BeforeId is not null)
            Where("id < ?", new NpgsqlParameter<long> { TypedValue = query.BeforeId.Value });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.Limit });
        sql.Append(query.Newest ? " ORDER BY id DESC LIMIT $" : " ORDER BY id LIMIT $").Append(command.Parameters.Count);
        command.CommandText = sql.ToString();
        var events = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        if (query.Newest)
            events.Reverse();
        return events;
    }

    public async ValueTask<IReadOnlyList<InboundSourceStats>> SourcesAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT source, count(*), max(received_at) FROM herald_events GROUP BY source ORDER BY source");
        var stats = new List<InboundSourceStats>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            stats.Add(new InboundSourceStats(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return stats;
    }

    public async ValueTask<IReadOnlyList<InboundTypeCount>> CountsAsync(string? source, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT source, type, count(*) FROM herald_events WHERE received_at >= $1 AND ($2::text IS NULL OR source = $2) GROUP BY source, type ORDER BY source, type");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)source ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var counts = new List<InboundTypeCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            counts.Add(new InboundTypeCount(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
        return counts;
    }

    public async ValueTask<long> PruneAsync(string source, int maxEvents, DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            DELETE FROM herald_events WHERE source = $1 AND (received_at < $3 OR id IN (
                SELECT id FROM herald_events WHERE source = $1 ORDER BY id DESC OFFSET $2))
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxEvents });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = olderThan.ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<InboundEvent>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<InboundEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            events.Add(Read(reader));
        return events;
    }

    private static InboundEvent Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.GetString(3),
        reader.GetFieldValue<DateTimeOffset>(4),
        JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(5)) ?? [],
        reader.GetString(6),
        reader.GetString(7));
}
