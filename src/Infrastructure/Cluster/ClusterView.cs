using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Cluster;

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
/// The other silos' figures are the ones <see cref="ClusterStatsPublisher"/> last fetched, so nothing a request asks
/// of this view (a push's client count, the rates) waits on a grain: the stats grain lives on one silo, and while that
/// silo is dead and not yet declared so (with the distributed directory, until its entries' lease ends), a call to it waits.
/// </summary>
public sealed class ClusterView(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    LocalSiloStats local,
    ILocalConnectionCount connections,
    AttemptCounter attempts,
    TimeProvider time,
    IOptions<ClusterOptions> options,
    StorageMode storage)
{
    /// <summary>How long <c>/api/cluster</c> waits for Orleans's membership before answering 503.</summary>
    public static readonly TimeSpan MembershipDeadline = TimeSpan.FromSeconds(5);

    private IReadOnlyList<SiloStats> _reports = [];

    public bool IsCluster => storage.IsCluster;

    public async Task<ClusterSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false, cancellationToken).WaitAsync(MembershipDeadline, cancellationToken);
        var others = Others();
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

    /// <summary>
    /// The SSE listeners across the cluster whose topic filter lets <paramref name="topic"/> through: the ones a push
    /// on it reaches. A silo that reported no filters (it had too many) counts in full.
    /// </summary>
    public int CountClients(string topic) =>
        connections.CountMatching(topic) + Others().Sum(s => s.ListenerFilters is { } filters ? ListenerFilters.Matching(filters, topic) : s.SseConnections);

    /// <summary>
    /// Attempts recorded across the cluster, by outcome: running totals that only grow while the silos live, so two
    /// readings give a rate. A silo's totals leave the sum once it stops reporting.
    /// </summary>
    public AttemptTotals ReadAttemptTotals()
    {
        var others = Others();
        var local = attempts.Totals;
        return new AttemptTotals(local.Succeeded + others.Sum(s => s.AttemptsSucceeded), local.Failed + others.Sum(s => s.AttemptsFailed));
    }

    /// <summary>
    /// Takes in the silos' reports as the stats grain holds them, each kept until a newer one of its silo comes: a grain
    /// activated afresh (its silo died, or the directory briefly ran two while membership changed) holds only the
    /// reports made to it since, and one such read must not make the others' listeners vanish from the counts.
    /// </summary>
    internal void Remember(IReadOnlyList<SiloStats> reports)
    {
        var forget = time.GetUtcNow() - StaleAfter;
        var merged = Volatile.Read(ref _reports).Concat(reports)
            .Where(r => r.ReportedAt >= forget)
            .GroupBy(r => r.SiloAddress, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.ReportedAt)!)
            .ToArray();
        Volatile.Write(ref _reports, merged);
    }

    // A silo that stopped reporting this long ago is not counted: five intervals, and never under 5 s, so a busy
    // machine's late report does not make a live silo's listeners vanish for a moment.
    private TimeSpan StaleAfter => TimeSpan.FromTicks(Math.Max(options.Value.StatsInterval.Ticks * 5, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>The other silos' recent reports.</summary>
    private SiloStats[] Others()
    {
        if (!IsCluster)
            return [];
        var self = silo.SiloAddress.ToParsableString();
        var stale = time.GetUtcNow() - StaleAfter;
        return Volatile.Read(ref _reports).Where(r => r.SiloAddress != self && r.ReportedAt >= stale).ToArray();
    }
}
