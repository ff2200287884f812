using System.Text.Json;
using Herald.Silo.Cluster;
using Herald.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Silo.Postgres;

/// <summary>
/// Grain state as JSON documents in <c>herald_grain_state</c>, one row per grain. With a fence, a write lands only
/// while this silo still holds the grain's partition at the epoch it claimed: checked in the same statement,
/// so a silo that lost its lease (paused, partitioned, presumed dead) cannot move a cursor the new owner owns.
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, IWriteFence? fence = null) : IGrainStorage
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
        int partition = 0;
        string owner = string.Empty;
        long epoch = 0;
        var fenced = fence?.TryGetFence(grainType, key, out partition, out owner, out epoch) == true;
        await using var command = dataSource.CreateCommand(fenced
            ? "INSERT INTO herald_grain_state (grain_type, grain_key, state) SELECT $1, $2, $3 WHERE EXISTS (" +
              "SELECT 1 FROM herald_partitions WHERE partition = $4 AND owner = $5 AND epoch = $6 AND lease_until > now()) " +
              "ON CONFLICT (grain_type, grain_key) DO UPDATE SET state = excluded.state, updated_at = now()"
            : "INSERT INTO herald_grain_state (grain_type, grain_key, state) VALUES ($1, $2, $3) " +
              "ON CONFLICT (grain_type, grain_key) DO UPDATE SET state = excluded.state, updated_at = now()");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(state), NpgsqlDbType = NpgsqlDbType.Jsonb });
        if (fenced)
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = epoch });
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            throw new LeaseLostException($"The write of {grainType} {key} was fenced: partition {partition} is no longer held by {owner} at epoch {epoch}.");
    }

    public async ValueTask ClearStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM herald_grain_state WHERE grain_type = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
