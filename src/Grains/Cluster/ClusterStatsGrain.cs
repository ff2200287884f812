using Herald.Contracts;

namespace Herald.Grains.Cluster;

/// <summary>
/// The latest report of each silo. Held in memory: if this grain's silo dies, a new activation fills up again within
/// one report interval. Readers join it with Orleans's membership, so a dead silo's report is not counted.
/// </summary>
[GrainType("cluster-stats")]
public sealed class ClusterStatsGrain : Grain, IClusterStatsGrain
{
    // A silo that stopped reporting (stopped, or restarted under a new address) is forgotten after this.
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, SiloStats> _bySilo = new(StringComparer.Ordinal);

    public Task ReportAsync(SiloStats stats)
    {
        _bySilo[stats.SiloAddress] = stats;
        foreach (var (silo, last) in _bySilo.Where(s => stats.ReportedAt - s.Value.ReportedAt > Forget).ToArray())
            _bySilo.Remove(silo);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiloStats>> ReadAsync() => Task.FromResult<IReadOnlyList<SiloStats>>([.. _bySilo.Values]);
}
