using Herald.Contracts;
using Herald.Storage;
using Microsoft.Data.Sqlite;
using static Herald.Infrastructure.Sqlite.SqliteValues;

namespace Herald.Infrastructure.Sqlite;

/// <summary>Action completions in <c>herald_action_completions</c>: the primary key makes a completion happen once, whoever races.</summary>
internal sealed class SqliteActionCompletionStore(SqliteDatabase database) : IActionCompletionStore
{
    private const string Columns = "event_id, action, completed_by, details, completed_at";

    public async ValueTask<(ActionCompletion Completion, bool Created)> CompleteAsync(ActionCompletion completion, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands =>
        {
            var inserted = commands.Command(
                $"INSERT INTO herald_action_completions ({Columns}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, action) DO NOTHING",
                completion.EventId, completion.Action, completion.CompletedBy, completion.Details, Ticks(completion.CompletedAt)).ExecuteNonQuery();
            return inserted == 1
                ? (completion, true)
                : (ReadAll(commands.Command($"SELECT {Columns} FROM herald_action_completions WHERE event_id = $1 AND action = $2", completion.EventId, completion.Action), Read)[0], false);
        }).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ActionCompletion>> FindAsync(IReadOnlyCollection<long> eventIds, CancellationToken cancellationToken = default) =>
        eventIds.Count == 0 ? [] : await database.ReadAsync(c => Query(c,
            $"SELECT {Columns} FROM herald_action_completions WHERE event_id IN (SELECT value FROM json_each($1))", Read, Json(eventIds))).ConfigureAwait(false);

    private static ActionCompletion Read(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), Time(reader, 4));
}
