using Herald.Contracts;
using Herald.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Infrastructure.Postgres;

/// <summary>Action completions in <c>herald_action_completions</c>: the primary key makes a completion happen once, whoever races.</summary>
internal sealed class PostgresActionCompletionStore(NpgsqlDataSource dataSource) : IActionCompletionStore
{
    private const string Columns = "event_id, action, completed_by, details, completed_at";

    public async ValueTask<(ActionCompletion Completion, bool Created)> CompleteAsync(ActionCompletion completion, CancellationToken cancellationToken = default)
    {
        await using var insert = dataSource.CreateCommand(
            $"INSERT INTO herald_action_completions ({Columns}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, action) DO NOTHING");
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = completion.EventId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = completion.Action });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = completion.CompletedBy });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)completion.Details ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = completion.CompletedAt.ToUniversalTime() });
        if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            return (completion, true);

        await using var select = dataSource.CreateCommand($"SELECT {Columns} FROM herald_action_completions WHERE event_id = $1 AND action = $2");
        select.Parameters.Add(new NpgsqlParameter<long> { TypedValue = completion.EventId });
        select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = completion.Action });
        var existing = await ReadAllAsync(select, cancellationToken).ConfigureAwait(false);
        return (existing[0], false);
    }

    public async ValueTask<IReadOnlyList<ActionCompletion>> FindAsync(IReadOnlyCollection<long> eventIds, CancellationToken cancellationToken = default)
    {
        if (eventIds.Count == 0)
            return [];
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM herald_action_completions WHERE event_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = eventIds.ToArray() });
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<ActionCompletion>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var completions = new List<ActionCompletion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            completions.Add(new ActionCompletion(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return completions;
    }
}
