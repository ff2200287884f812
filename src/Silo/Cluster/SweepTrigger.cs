using Herald.Silo.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Herald.Silo.Cluster;

/// <summary>
/// Asks for a sweep (<see cref="ISweepGrain"/>) whenever work may have been stranded: when this silo starts (the
/// cluster may be restarting after a crash), when a silo is declared dead (its grains' backlogs and the one-way
/// wakes sent to it are gone), and when the database comes back (wakes that found it away were dropped).
/// </summary>
internal sealed partial class SweepTrigger(
    IGrainFactory grains, IClusterMembershipService membership, IServiceProvider services, ILogger<SweepTrigger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifications = services.GetService<PostgresNotifications>();
        Action? reconnected = notifications is null ? null : () => Request("storage reconnected");
        if (notifications is not null)
            notifications.Reconnected += reconnected;
        try
        {
            Request("silo started");
            var dead = new HashSet<SiloAddress>();
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken).ConfigureAwait(false))
            {
                foreach (var (address, member) in snapshot.Members)
                {
                    if (member.Status == SiloStatus.Dead && dead.Add(address))
                        Request($"silo {address} died");
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
