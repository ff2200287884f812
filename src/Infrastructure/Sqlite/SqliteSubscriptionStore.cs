using Herald.Contracts;
using Herald.Storage;
using Microsoft.Data.Sqlite;
using static Herald.Infrastructure.Sqlite.SqliteValues;

namespace Herald.Infrastructure.Sqlite;

/// <summary>Event subscriptions in <c>herald_subscriptions</c>, by owner and name; a cursor only moves forward.</summary>
internal sealed class SqliteSubscriptionStore(SqliteDatabase database, TimeProvider time) : ISubscriptionStore
{
    private const string Columns = "name, sources, description, cursor, created_at, updated_at, owner";

    public async ValueTask<(EventSubscription Subscription, bool Created)> UpsertAsync(EventSubscription subscription, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands =>
        {
            var existed = Find(commands, subscription.Owner, subscription.Name) is not null;
            commands.Command(
                $"""
                INSERT INTO herald_subscriptions ({Columns}) VALUES ($1, $2, $3, $4, $5, $5, $6)
                ON CONFLICT (owner, name) DO UPDATE SET sources = excluded.sources, description = coalesce(excluded.description, description), updated_at = excluded.updated_at
                """,
                subscription.Name, Json(subscription.Sources), subscription.Description, subscription.Cursor, Ticks(subscription.CreatedAt), subscription.Owner).ExecuteNonQuery();
            return (Find(commands, subscription.Owner, subscription.Name)!, !existed);
        }).ConfigureAwait(false);

    public async ValueTask<EventSubscription?> GetAsync(string owner, string name, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => Query(c, $"SELECT {Columns} FROM herald_subscriptions WHERE owner = $1 AND name = $2", Read, owner, name).FirstOrDefault()).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<EventSubscription>> ListAsync(string? owner, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => owner is null
            ? Query(c, $"SELECT {Columns} FROM herald_subscriptions ORDER BY owner, name", Read)
            : Query(c, $"SELECT {Columns} FROM herald_subscriptions WHERE owner = $1 ORDER BY name", Read, owner)).ConfigureAwait(false);

    public async ValueTask<int> CountAsync(CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => (int)(long)Scalar(c, "SELECT count(*) FROM herald_subscriptions")!).ConfigureAwait(false);

    public async ValueTask<bool> DeleteAsync(string owner, string name, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands => commands.Command("DELETE FROM herald_subscriptions WHERE owner = $1 AND name = $2", owner, name).ExecuteNonQuery() == 1)
            .ConfigureAwait(false);

    public async ValueTask<EventSubscription?> AdvanceAsync(string owner, string name, long cursor, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(commands =>
        {
            commands.Command("UPDATE herald_subscriptions SET cursor = $3, updated_at = $4 WHERE owner = $1 AND name = $2 AND cursor < $3", owner, name, cursor, Ticks(time.GetUtcNow()))
                .ExecuteNonQuery();
            return Find(commands, owner, name);
        }).ConfigureAwait(false);

    private static EventSubscription? Find(SqliteCommands commands, string owner, string name) =>
        ReadAll(commands.Command($"SELECT {Columns} FROM herald_subscriptions WHERE owner = $1 AND name = $2", owner, name), Read).FirstOrDefault();

    private static EventSubscription Read(SqliteDataReader reader) =>
        new(reader.GetString(0), Strings(reader, 1), NullableString(reader, 2), reader.GetInt64(3), Time(reader, 4), Time(reader, 5), reader.GetString(6));
}
