using Herald.Infrastructure.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>Ready only while PostgreSQL answers and the schema is at the version this build expects.</summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT coalesce(max(version), 0) FROM herald_schema_version");
            var version = (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            var expected = SchemaMigrator.Scripts[^1].Version;
            return version >= expected
                ? HealthCheckResult.Healthy($"schema version {version}")
                : HealthCheckResult.Unhealthy($"schema version {version}, expected {expected}");
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception) || exception is PostgresException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is unreachable", exception);
        }
    }
}
