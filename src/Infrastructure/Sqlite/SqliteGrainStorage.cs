using System.Runtime.InteropServices;
using Orleans.Storage;
using static Herald.Infrastructure.Sqlite.SqliteValues;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// Orleans grain storage in the embedded data file (<c>herald_grain_state</c>), for the state Orleans's ADO.NET
/// providers keep in PostgreSQL in a cluster; they have no SQLite dialect. The version is the ETag: a write or
/// clear that carries a stale one changes nothing and fails with <see cref="InconsistentStateException"/>. Writes are
/// lazy: grains write their state behind already, and a fan-out's thousand state writes then share a commit.
/// </summary>
internal sealed class SqliteGrainStorage(SqliteDatabase database, IGrainStorageSerializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var key = grainId.ToString();
        var row = await database.ReadAsync(c => Query(c, "SELECT payload, version FROM herald_grain_state WHERE state_name = $1 AND grain_id = $2",
            r => ((byte[])r.GetValue(0), r.GetInt64(1)), stateName, key).FirstOrDefault()).ConfigureAwait(false);
        if (row.Item1 is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = serializer.Deserialize<T>(new BinaryData(row.Item1));
        grainState.ETag = row.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var payload = Bytes(serializer.Serialize(grainState.State));
        var expected = grainState.ETag is null ? (long?)null : long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture);
        var key = grainId.ToString();
        var written = await database.WriteAsync(commands => expected is null
            ? commands.Command(
                "INSERT INTO herald_grain_state (state_name, grain_id, payload, version) VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING RETURNING version",
                stateName, key, payload).ExecuteScalar()
            : commands.Command(
                "UPDATE herald_grain_state SET payload = $3, version = version + 1 WHERE state_name = $1 AND grain_id = $2 AND version = $4 RETURNING version",
                stateName, key, payload, expected).ExecuteScalar(), lazy: true).ConfigureAwait(false);
        if (written is not long version)
            throw Conflict(stateName, grainId, grainState.ETag);
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        if (grainState.ETag is not null)
        {
            var expected = long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture);
            var key = grainId.ToString();
            var deleted = await database.WriteAsync(commands => commands.Command(
                "DELETE FROM herald_grain_state WHERE state_name = $1 AND grain_id = $2 AND version = $3", stateName, key, expected).ExecuteNonQuery()).ConfigureAwait(false);
            if (deleted != 1)
                throw Conflict(stateName, grainId, grainState.ETag);
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The serialized bytes, without a copy when they already are a whole array (a fan-out writes a thousand states).</summary>
    private static byte[] Bytes(BinaryData data) =>
        MemoryMarshal.TryGetArray(data.ToMemory(), out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();

    private static InconsistentStateException Conflict(string stateName, GrainId grainId, string? etag) =>
        new($"The stored {stateName} of {grainId} changed since version {etag ?? "(none)"} was read: another activation wrote it.", storedEtag: null, currentEtag: etag);
}
