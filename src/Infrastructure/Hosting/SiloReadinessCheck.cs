using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Infrastructure.Hosting;

/// <summary>Ready only while this process's silo is active in the cluster: joined, and not shutting down.</summary>
internal sealed class SiloReadinessCheck(ISiloStatusOracle silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(silo.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo active")
            : HealthCheckResult.Unhealthy($"silo {silo.CurrentStatus.ToString().ToLowerInvariant()}"));
}
