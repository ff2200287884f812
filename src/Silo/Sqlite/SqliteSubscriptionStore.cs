using Herald.Contracts;
using Herald.Storage;
using Microsoft.Data.Sqlite;
using static Herald.Silo.Sqlite.SqliteValues;

namespace Herald.Silo.Sqlite;

/// <summary>Event subscriptions in <c>herald_subscriptions</c>; a cursor only moves forward.</summary>
internal sealed class SqliteSubscriptionStore(SqliteDatabase database, TimeProvider time) : ISubscriptionStore
{
    private const string Columns = "name, sources, description, cursor, created_at, updated_at";

    public async ValueTask<(EventSubscription Subscription, bool Created)> UpsertAsync(EventSubscription subscription, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands =>
        {
            var existed = Find(commands, subscription.Name) is not null;
            commands.Command(
                $"""
                INSERT INTO herald_subscriptions ({Columns}) VALUES ($1, $2, $3, $4, $5, $5)
                ON CONFLICT (name) DO UPDATE SET sources = excluded.sources, description = coalesce(excluded.description, description), updated_at = excluded.updated_at
                """,
                subscription.Name, Json(subscription.Sources), subscription.Description, subscription.Cursor, Ticks(subscription.CreatedAt)).ExecuteNonQuery();
            return (Find(commands, subscription.Name)!, !existed);
        }).ConfigureAwait(false);

    public ValueTask<EventSubscription?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(database.Read(c => Query(c, $"SELECT {Columns} FROM herald_subscriptions WHERE name = $1", Read, name)).FirstOrDefault());

    public ValueTask<IReadOnlyList<EventSubscription>> ListAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<EventSubscription>>(database.Read(c => Query(c, $"SELECT {Columns} FROM herald_subscriptions ORDER BY name", Read)));

    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult((int)database.Read(c => (long)Scalar(c, "SELECT count(*) FROM herald_subscriptions")!));

    public async ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands => commands.Command("DELETE FROM herald_subscriptions WHERE name = $1", name).ExecuteNonQuery() == 1).ConfigureAwait(false);

    public async ValueTask<EventSubscription?> AdvanceAsync(string name, long cursor, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands =>
        {
            commands.Command("UPDATE herald_subscriptions SET cursor = $2, updated_at = $3 WHERE name = $1 AND cursor < $2", name, cursor, Ticks(time.GetUtcNow())).ExecuteNonQuery();
            return Find(commands, name);
        }).ConfigureAwait(false);

    private static EventSubscription? Find(SqliteCommands commands, string name) =>
        ReadAll(commands.Command($"SELECT {Columns} FROM herald_subscriptions WHERE name = $1", name), Read).FirstOrDefault();

    private static EventSubscription Read(SqliteDataReader reader) =>
        new(reader.GetString(0), Strings(reader, 1), NullableString(reader, 2), reader.GetInt64(3), Time(reader, 4), Time(reader, 5));
}
