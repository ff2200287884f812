using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Cluster;

/// <summary>
/// Reports this silo's figures to <see cref="IClusterStatsGrain"/> every interval (its SSE listeners, attempt totals,
/// storage backlog and active webhook grains: Orleans knows which silos are alive, these it does not), and fetches
/// every silo's for <see cref="ClusterView"/>, so requests read them without a grain call.
/// </summary>
internal sealed partial class ClusterStatsPublisher(
    IGrainFactory grains,
    LocalSiloStats local,
    ClusterView view,
    TimeProvider time,
    IOptions<ClusterOptions> options,
    ILogger<ClusterStatsPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StatsInterval, time);
        var stats = grains.GetGrain<IClusterStatsGrain>(0);
        try
        {
            do
            {
                try
                {
                    await stats.ReportAsync(local.Read());

                    // A bounded wait: while the grain's silo is dead and not yet declared so, a call to it waits, and the
                    // figures already fetched serve meanwhile (the view drops a silo's once they are five intervals, and at least 5 s, old).
                    if (view.IsCluster)
                        view.Remember(await stats.ReadAsync().WaitAsync(options.Value.StatsInterval * 4, stoppingToken));
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The next report goes out at the next tick; readers see this silo's last one meanwhile.
                    ReportFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "Could not report this silo's figures; retrying at the next interval")]
    private static partial void ReportFailed(ILogger logger, Exception exception);
}
