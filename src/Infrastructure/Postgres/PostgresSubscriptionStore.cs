using Herald.Contracts;
using Herald.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Infrastructure.Postgres;

/// <summary>Event subscriptions in <c>herald_subscriptions</c>, by owner and name; a cursor only moves forward, whichever gateway's wait moves it.</summary>
internal sealed class PostgresSubscriptionStore(NpgsqlDataSource dataSource, TimeProvider time) : ISubscriptionStore
{
    private const string Columns = "name, sources, description, cursor, created_at, updated_at, owner";

    public async ValueTask<(EventSubscription Subscription, bool Created)> UpsertAsync(EventSubscription subscription, CancellationToken cancellationToken = default)
    {
        // xmax is 0 on a row this statement inserted and the updating transaction's id on one it updated.
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO herald_subscriptions AS s ({Columns}) VALUES ($1, $2, $3, $4, $5, $5, $6)
            ON CONFLICT (owner, name) DO UPDATE SET sources = excluded.sources, description = COALESCE(excluded.description, s.description), updated_at = excluded.updated_at
            RETURNING {Columns}, (xmax = 0)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription.Name });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = subscription.Sources.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)subscription.Description ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = subscription.Cursor });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = subscription.CreatedAt.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription.Owner });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (Read(reader), reader.GetBoolean(7));
    }

    public async ValueTask<EventSubscription?> GetAsync(string owner, string name, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM herald_subscriptions WHERE owner = $1 AND name = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async ValueTask<IReadOnlyList<EventSubscription>> ListAsync(string? owner, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM herald_subscriptions WHERE $1::text IS NULL OR owner = $1 ORDER BY owner COLLATE \"C\", name COLLATE \"C\"");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM herald_subscriptions");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask<bool> DeleteAsync(string owner, string name, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM herald_subscriptions WHERE owner = $1 AND name = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async ValueTask<EventSubscription?> AdvanceAsync(string owner, string name, long cursor, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            WITH moved AS (UPDATE herald_subscriptions SET cursor = $2, updated_at = $3 WHERE owner = $4 AND name = $1 AND cursor < $2 RETURNING {Columns})
            SELECT {Columns} FROM moved
            UNION ALL
            SELECT {Columns} FROM herald_subscriptions WHERE owner = $4 AND name = $1 AND NOT EXISTS (SELECT 1 FROM moved)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow().ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    private static async Task<List<EventSubscription>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var subscriptions = new List<EventSubscription>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            subscriptions.Add(Read(reader));
        return subscriptions;
    }

    private static EventSubscription Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3),
        reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6));
}
