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
/// Writes are group-committed by <see cref="PostgresWriteBatcher"/>.
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, PostgresWriteBatcher writes, IWriteFence? fence = null) : IGrainStorage
{
    public async ValueTask<T?> ReadStateAsync<T>(string grainType, string key, CancellationToken cancellationToken = default) where T : class
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM herald_grain_state WHERE grain_type = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? JsonSerializer.Deserialize<T>(json) : null;
    }

    public ValueTask WriteStateAsync<T>(string grainType, string key, T state, CancellationToken cancellationToken = default) where T : class
    {
        (int, string, long)? fenced = fence is not null && fence.TryGetFence(grainType, key, out var partition, out var owner, out var epoch)
            ? (partition, owner, epoch)
            : null;
        return new ValueTask(writes.WriteStateAsync(grainType, key, JsonSerializer.Serialize(state), fenced));
    }

    public async ValueTask ClearStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM herald_grain_state WHERE grain_type = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
