using Orleans.Concurrency;
using Herald.Contracts;

namespace Herald;

/// <summary>
/// One per cluster. Every silo reports its figures (SSE listeners, attempt totals, storage backlog) each interval;
/// readers get the latest report of each. Membership comes from Orleans; this holds only what Orleans does not know.
/// </summary>
[Alias("Herald.IClusterStatsGrain")]
public interface IClusterStatsGrain : IGrainWithIntegerKey
{
    [OneWay]
    [Alias("Report")]
    Task ReportAsync(SiloStats stats);

    [Alias("Read")]
    Task<IReadOnlyList<SiloStats>> ReadAsync();
}
