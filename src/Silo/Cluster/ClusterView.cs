using Herald.Silo.Postgres;
using Herald.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Herald.Silo.Cluster;

/// <summary>
/// One silo as <c>/api/cluster</c> shows it. <see cref="PendingStorageWrites"/> is its storage backlog as of its
/// last heartbeat (live for this process): a number that keeps growing means PostgreSQL cannot keep up.
/// </summary>
public sealed record SiloInfo(
    string Id, string Role, string Address, string Status, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat,
    bool OwnsPartitions, int SseConnections, IReadOnlyList<int> Partitions, int PendingStorageWrites);

/// <summary>The cluster as this process sees it: the silos, which silo owns which partition, and the totals of the active ones.</summary>
public sealed record ClusterSnapshot(
    string Mode, string Self, IReadOnlyList<SiloInfo> Silos, IReadOnlyDictionary<string, string?> Partitions, int SseConnections, int PendingStorageWrites);

/// <summary>Reads the membership and lease tables (cluster mode), or describes the single embedded node.</summary>
public sealed class ClusterView(IServiceProvider services, ILocalConnectionCount connections, IStorageBacklog backlog)
{
    private readonly NpgsqlDataSource? _dataSource = services.GetService<NpgsqlDataSource>();
    private int _othersLastRead;

    public bool IsCluster => _dataSource is not null;

    public async Task<ClusterSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is null)
        {
            var self = new SiloInfo("embedded", SiloRole.Gateway.Name, string.Empty, "active", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, true, connections.Count, [], backlog.PendingWrites);
            return new ClusterSnapshot("embedded", self.Id, [self], new Dictionary<string, string?>(), connections.Count, backlog.PendingWrites);
        }

        var identity = services.GetRequiredService<SiloIdentity>();
        var partitions = new Dictionary<string, string?>();
        var owned = new Dictionary<string, List<int>>();
        await using (var leases = _dataSource.CreateCommand("SELECT partition, CASE WHEN lease_until > now() THEN owner END FROM herald_partitions ORDER BY partition"))
        await using (var reader = await leases.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var owner = reader.IsDBNull(1) ? null : reader.GetString(1);
                partitions[reader.GetInt32(0).ToString(System.Globalization.CultureInfo.InvariantCulture)] = owner;
                if (owner is not null)
                    (owned.TryGetValue(owner, out var list) ? list : owned[owner] = []).Add(reader.GetInt32(0));
            }
        }

        var silos = new List<SiloInfo>();
        await using (var members = _dataSource.CreateCommand(
            "SELECT id, role, address, status, started_at, heartbeat_at, owns_partitions, sse_connections, pending_storage_writes FROM herald_silos ORDER BY id"))
        await using (var reader = await members.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                var self = id == identity.Id;
                silos.Add(new SiloInfo(id, reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6),
                    self ? connections.Count : reader.GetInt32(7),
                    owned.TryGetValue(id, out var list) ? list : [],
                    self ? backlog.PendingWrites : reader.GetInt32(8)));
            }
        }

        var active = silos.Where(s => s.Status == "active").ToArray();
        return new ClusterSnapshot("cluster", identity.Id, silos, partitions, active.Sum(s => s.SseConnections), active.Sum(s => s.PendingStorageWrites));
    }

    /// <summary>
    /// SSE listeners across the cluster: this process's live count plus the others' last heartbeats. While
    /// PostgreSQL cannot be read, the others' count last read stands in: a push that is already committed must
    /// not fail for want of a statistic.
    /// </summary>
    public async Task<int> CountClientsAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is null)
            return connections.Count;
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT coalesce(sum(sse_connections), 0) FROM herald_silos WHERE status = 'active' AND id <> $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = services.GetRequiredService<SiloIdentity>().Id });
            _othersLastRead = (int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception) && !cancellationToken.IsCancellationRequested)
        {
        }

        return connections.Count + _othersLastRead;
    }
}
