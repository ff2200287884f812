using Herald.Contracts;
using Herald.Storage;
using Herald.Grains.Webhooks;
using Herald.Silo.Postgres;
using Npgsql;
using Herald.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Herald.Silo.Cluster;

/// <summary>
/// One silo as <c>/api/cluster</c> shows it: Orleans's membership entry, with the figures the silo reports
/// (<see cref="IClusterStatsGrain"/>; live for this process). <see cref="PendingStorageWrites"/> is its storage
/// backlog: a number that keeps growing means storage cannot keep up.
/// </summary>
public sealed record SiloInfo(
    string Id, string Address, string Role, string Status, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat,
    bool HostsWebhooks, int SseConnections, int WebhookGrains, int PendingStorageWrites);

/// <summary>The cluster as this process sees it: the silos, and the totals of the active ones.</summary>
public sealed record ClusterSnapshot(string Mode, string Self, IReadOnlyList<SiloInfo> Silos, int SseConnections, int PendingStorageWrites);

/// <summary>
/// The cluster view: Orleans's membership (through the management grain) joined with each silo's reported figures.
/// The other silos' figures are cached for one report interval, so a push's client count costs no grain call.
/// </summary>
public sealed class ClusterView(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    LocalSiloStats local,
    ILocalConnectionCount connections,
    AttemptCounter attempts,
    TimeProvider time,
    IOptions<ClusterOptions> options,
    IServiceProvider services)
{
    private readonly Lock _gate = new();
    private (IReadOnlyList<SiloStats> Others, long? ReadAt) _cache = ([], null);

    public bool IsCluster { get; } = services.GetService<NpgsqlDataSource>() is not null;

    public async Task<ClusterSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false, cancellationToken);
        var others = await OthersAsync(cancellationToken);
        var self = local.Read();
        var silos = hosts.OrderBy(h => h.SiloName, StringComparer.Ordinal).Select(host =>
        {
            var address = host.SiloAddress.ToParsableString();
            var stats = address == self.SiloAddress ? self : others.FirstOrDefault(s => s.SiloAddress == address);
            return new SiloInfo(
                host.SiloName, host.SiloAddress.Endpoint.ToString(), stats?.Role ?? host.RoleName ?? string.Empty, host.Status.ToString().ToLowerInvariant(),
                host.StartTime, host.IAmAliveTime, stats?.HostsWebhooks ?? false, stats?.SseConnections ?? 0, stats?.WebhookGrains ?? 0,
                stats?.PendingStorageWrites ?? 0);
        }).ToArray();
        var active = silos.Where(s => s.Status == "active").ToArray();
        return new ClusterSnapshot(IsCluster ? "cluster" : "embedded", silo.Name, silos, active.Sum(s => s.SseConnections), active.Sum(s => s.PendingStorageWrites));
    }

    /// <summary>SSE listeners across the cluster: this process's live count plus the others' last reports.</summary>
    public async Task<int> CountClientsAsync(CancellationToken cancellationToken) =>
        connections.Count + (await OthersAsync(cancellationToken)).Sum(s => s.SseConnections);

    /// <summary>
    /// The SSE listeners across the cluster whose topic filter lets <paramref name="topic"/> through: the ones a push
    /// on it reaches. A silo that reported no filters (it had too many) counts in full.
    /// </summary>
    public async Task<int> CountClientsAsync(string topic, CancellationToken cancellationToken) =>
        connections.CountMatching(topic)
        + (await OthersAsync(cancellationToken)).Sum(s => s.ListenerFilters is { } filters ? ListenerFilters.Matching(filters, topic) : s.SseConnections);

    /// <summary>
    /// Attempts recorded across the cluster, by outcome: running totals that only grow while the silos live, so two
    /// readings give a rate. A silo's totals leave the sum once it stops reporting.
    /// </summary>
    public async Task<AttemptTotals> ReadAttemptTotalsAsync(CancellationToken cancellationToken)
    {
        var others = await OthersAsync(cancellationToken);
        var local = attempts.Totals;
        return new AttemptTotals(local.Succeeded + others.Sum(s => s.AttemptsSucceeded), local.Failed + others.Sum(s => s.AttemptsFailed));
    }

    /// <summary>
    /// The other silos' latest reports, read at most once per report interval. While the stats grain cannot be reached,
    /// the last reports read stand in: a push that is already committed must not fail for want of a statistic.
    /// </summary>
    private async Task<IReadOnlyList<SiloStats>> OthersAsync(CancellationToken cancellationToken)
    {
        if (!IsCluster)
            return [];
        lock (_gate)
        {
            if (_cache.ReadAt is { } readAt && Environment.TickCount64 - readAt < options.Value.StatsInterval.TotalMilliseconds)
                return _cache.Others;
        }

        try
        {
            var self = silo.SiloAddress.ToParsableString();
            var stale = time.GetUtcNow() - options.Value.StatsInterval * 5;
            var reports = await grains.GetGrain<IClusterStatsGrain>(0).ReadAsync().WaitAsync(cancellationToken);
            var others = reports.Where(r => r.SiloAddress != self && r.ReportedAt >= stale).ToArray();
            lock (_gate)
                _cache = (others, Environment.TickCount64);
            return others;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
                return _cache.Others;
        }
    }
}
