using System.Text.Json;
using Herald.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Silo.Postgres;

/// <summary>Grain state as JSON documents in <c>herald_grain_state</c>, one row per grain.</summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource dataSource) : IGrainStorage
{
    public async ValueTask<T?> ReadStateAsync<T>(string grainType, string key, CancellationToken cancellationToken = default) where T : class
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM herald_grain_state WHERE grain_type = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? JsonSerializer.Deserialize<T>(json) : null;
    }

    public async ValueTask WriteStateAsync<T>(string grainType, string key, T state, CancellationToken cancellationToken = default) where T : class
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO herald_grain_state (grain_type, grain_key, state) VALUES ($1, $2, $3) " +
            "ON CONFLICT (grain_type, grain_key) DO UPDATE SET state = excluded.state, updated_at = now()");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(state), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ClearStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM herald_grain_state WHERE grain_type = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
