using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Silo.Cluster;

/// <summary>Not ready until this process is registered in the membership table and heartbeating.</summary>
internal sealed class ClusterReadinessCheck(ClusterMembership membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(membership.IsJoined ? HealthCheckResult.Healthy("joined") : HealthCheckResult.Unhealthy("not joined the cluster yet"));
}
