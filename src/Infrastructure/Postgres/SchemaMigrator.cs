using Herald.Infrastructure.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// Applies the versioned SQL scripts in order, once, however many processes start at the same moment: each
/// takes a session advisory lock first, so the others wait and then find the work done. Runs before any other
/// hosted service and keeps retrying (with backoff) while PostgreSQL is unreachable.
/// </summary>
internal sealed class SchemaMigrator(NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, ILogger<SchemaMigrator> logger) : IHostedService
{
    private const long MigrationLockKey = 7265796100;

    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = MigrationScripts.Load("Herald.Postgres.Migrations.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (StorageErrors.IsUnavailable(exception) && !cancellationToken.IsCancellationRequested)
            {
                PostgresLogMessages.DatabaseUnavailable(logger, exception.Message, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxReconnectDelay.Ticks));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS herald_schema_version (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
            await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM herald_schema_version", connection);
            var current = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
            foreach (var (version, name, sql) in Scripts.Where(s => s.Version > current))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var apply = new NpgsqlCommand(sql, connection, transaction))
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO herald_schema_version (version, name) VALUES ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter { Value = version });
                    record.Parameters.Add(new NpgsqlParameter { Value = name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                PostgresLogMessages.MigrationApplied(logger, version, name);
            }
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
