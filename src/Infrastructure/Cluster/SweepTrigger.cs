using Herald.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Cluster;

/// <summary>
/// Asks for a sweep (<see cref="ISweepGrain"/>) whenever work may have been stranded: when this silo starts (the
/// cluster may be restarting after a crash), whenever a silo joins, leaves or dies (the grain directory moves entries,
/// a dead silo's grains' backlogs and the one-way wakes sent to it are gone), when the database comes back (wakes
/// that found it away were dropped), and, in a cluster, on a timer: the net under all of these.
/// </summary>
internal sealed partial class SweepTrigger(
    IGrainFactory grains, IClusterMembershipService membership, IServiceProvider services, IOptions<ClusterOptions> options,
    TimeProvider time, ILogger<SweepTrigger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifications = services.GetService<IStorageReconnects>();
        Action? reconnected = notifications is null ? null : () => Request("storage reconnected");
        if (notifications is not null)
            notifications.Reconnected += reconnected;
        var timer = notifications is null ? Task.CompletedTask : TickAsync(stoppingToken);
        try
        {
            Request("silo started");
            var known = new Dictionary<SiloAddress, SiloStatus>();
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken).ConfigureAwait(false))
            {
                foreach (var (address, member) in snapshot.Members)
                {
                    if (known.TryGetValue(address, out var status) && status == member.Status)
                        continue;
                    var first = !known.ContainsKey(address);
                    known[address] = member.Status;

                    // The silos already there when this one started were swept for at its start.
                    if (!first || member.Status != SiloStatus.Active)
                        Request($"silo {address} is {member.Status.ToString().ToLowerInvariant()}");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (notifications is not null)
                notifications.Reconnected -= reconnected;
            await timer.ConfigureAwait(false);
        }
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SweepInterval;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    _ = grains.GetGrain<ISweepGrain>(0).TickAsync(interval);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    RequestFailed(logger, exception, "timer");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Request(string reason)
    {
        try
        {
            _ = grains.GetGrain<ISweepGrain>(0).RequestAsync(reason);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            RequestFailed(logger, exception, reason);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Could not ask for a sweep ({Reason})")]
    private static partial void RequestFailed(ILogger logger, Exception exception, string reason);
}
