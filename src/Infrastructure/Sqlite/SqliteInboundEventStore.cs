using System.Text;
using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.Data.Sqlite;
using static Herald.Infrastructure.Sqlite.SqliteValues;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// Inbound events in <c>herald_events</c>. Storing one is a single write that looks for the delivery id, appends to
/// the log and inserts the event, so a duplicate delivery is stored once and an event is never in one without the other.
/// </summary>
internal sealed class SqliteInboundEventStore(SqliteDatabase database, SqliteMessageLog log) : IInboundEventStore
{
    private const string Columns = "id, source, type, delivery_id, received_at, headers, payload, summary";

    public async ValueTask<(InboundEvent Event, bool Created)> AppendAsync(InboundEventDraft draft, CancellationToken cancellationToken = default)
    {
        var (stored, entry) = await database.WriteAsync(commands =>
        {
            var existing = ReadAll(commands.Command($"SELECT {Columns} FROM herald_events WHERE source = $1 AND delivery_id = $2", draft.Source, draft.DeliveryId), Read);
            if (existing.Count > 0)
                return (existing[0], (LogEntry?)null);

            var appended = log.Insert(commands, MemoryInboundEventStore.TopicFor(draft.Source), draft.Message, draft.Type, draft.Payload);
            commands.Command(
                $"INSERT INTO herald_events ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                appended.Seq, draft.Source, draft.Type, draft.DeliveryId, Ticks(appended.Timestamp), Json(draft.Headers), draft.Payload, draft.Summary).ExecuteNonQuery();
            return (new InboundEvent(appended.Seq, draft.Source, draft.Type, draft.DeliveryId, appended.Timestamp, draft.Headers, draft.Payload, draft.Summary), appended);
        }, written =>
        {
            if (written.Item2 is { } appended)
                log.Appended(appended);
        }).ConfigureAwait(false);
        return (stored, entry is not null);
    }

    public async ValueTask<InboundEvent?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => Query(c, $"SELECT {Columns} FROM herald_events WHERE id = $1", Read, id).FirstOrDefault()).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<InboundEvent>> QueryAsync(InboundQuery query, CancellationToken cancellationToken = default)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM herald_events WHERE 1");
        var values = new List<object?>();
        void Where(string condition, object? value)
        {
            values.Add(value);
            sql.Append(" AND ").Append(condition.Replace("?", "$" + values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        if (query.Source is not null)
            Where("source = ?", query.Source);
        if (query.Type is not null)
            Where("type = ?", query.Type);
        if (query.AfterId is not null)
            Where("id > ?", query.AfterId.Value);
        if (query.Since is not null)
            Where("received_at >= ?", Ticks(query.Since.Value));
        if (query.Sources is not null)
            Where("source IN (SELECT value FROM json_each(?))", Json(query.Sources));
        if (query.BeforeId is not null)
            Where("id < ?", query.BeforeId.Value);
        values.Add(query.Limit);
        sql.Append(query.Newest ? " ORDER BY id DESC LIMIT $" : " ORDER BY id LIMIT $").Append(values.Count);
        var events = await database.ReadAsync(c => Query(c, sql.ToString(), Read, values.ToArray())).ConfigureAwait(false);
        if (query.Newest)
            events.Reverse();
        return events;
    }

    public async ValueTask<IReadOnlyList<InboundSourceStats>> SourcesAsync(CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => Query(c,
            "SELECT source, count(*), max(received_at) FROM herald_events GROUP BY source ORDER BY source",
            r => new InboundSourceStats(r.GetString(0), r.GetInt64(1), Time(r, 2)))).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<InboundTypeCount>> CountsAsync(string? source, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => Query(c,
            "SELECT source, type, count(*) FROM herald_events WHERE received_at >= $1 AND ($2 IS NULL OR source = $2) GROUP BY source, type ORDER BY source, type",
            r => new InboundTypeCount(r.GetString(0), NullableString(r, 1), r.GetInt64(2)), Ticks(since), source)).ConfigureAwait(false);

    public async ValueTask<long> PruneAsync(string source, int maxEvents, DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands => (long)commands.Command(
            """
            DELETE FROM herald_events WHERE source = $1 AND (received_at < $3 OR id IN (
                SELECT id FROM herald_events WHERE source = $1 ORDER BY id DESC LIMIT -1 OFFSET $2))
            """, source, maxEvents, Ticks(olderThan)).ExecuteNonQuery()).ConfigureAwait(false);

    private static InboundEvent Read(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), NullableString(reader, 2), reader.GetString(3), Time(reader, 4), Map(reader, 5),
        reader.GetString(6), reader.GetString(7));
}
