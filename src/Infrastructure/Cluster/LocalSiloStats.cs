using Herald.Contracts;
using Herald.Grains.Telemetry;
using Herald.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Cluster;

/// <summary>This silo's own figures, as it reports them to the cluster and shows them live in its own cluster view.</summary>
public sealed class LocalSiloStats(
    ILocalSiloDetails silo,
    SiloRole role,
    ILocalConnectionCount connections,
    AttemptCounter attempts,
    IStorageBacklog backlog,
    WebhookGrainCounters webhooks,
    TimeProvider time,
    IOptions<ClusterOptions> options)
{
    public SiloStats Read()
    {
        var totals = attempts.Totals;
        var filters = connections.CountByFilter();
        return new SiloStats(silo.SiloAddress.ToParsableString(), role.Name, options.Value.HostsWebhooks, connections.Count, totals.Succeeded, totals.Failed,
            backlog.PendingWrites, webhooks.ActiveGrains, time.GetUtcNow(), filters.Count <= ListenerFilters.MaxReported ? filters : null);
    }
}
