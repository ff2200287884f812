using Herald.Grains.Delivery;
using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Herald.Storage;
using Herald.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Tests.Infrastructure;

/// <summary>The PostgreSQL providers over a fresh, migrated database of the shared test server.</summary>
internal sealed class PostgresProviderSet : IAsyncDisposable
{
    private PostgresProviderSet(string connectionString, NpgsqlDataSource dataSource, PostgresNotifications notifications, PostgresWriteBatcher batcher, AttemptCounter counter)
    {
        ConnectionString = connectionString;
        DataSource = dataSource;
        Notifications = notifications;
        Batcher = batcher;
        Log = new PostgresMessageLog(dataSource, notifications, Options.Create(FastOptions));
        Registry = new PostgresEndpointRegistry(dataSource, notifications, TestSecrets.ForDatabase(dataSource));
        Attempts = new CountingAttemptLog(new PostgresAttemptLog(dataSource, batcher, Options.Create(new DeliveryOptions { AttemptRetentionPerEndpoint = 5 })), counter);
    }

    public PostgresWriteBatcher Batcher { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public PostgresNotifications Notifications { get; }

    public PostgresMessageLog Log { get; }

    public PostgresEndpointRegistry Registry { get; }

    public IAttemptLog Attempts { get; }

    public static PostgresOptions FastOptions => new() { FallbackPollInterval = TimeSpan.FromMilliseconds(50), MaxReconnectDelay = TimeSpan.FromMilliseconds(200) };

    public static async Task<PostgresProviderSet> CreateAsync(AttemptCounter? counter = null)
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync();
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, Options.Create(FastOptions), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var notifications = new PostgresNotifications(dataSource, Options.Create(FastOptions), NullLogger<PostgresNotifications>.Instance);
        await notifications.StartAsync(CancellationToken.None);
        var batcher = new PostgresWriteBatcher(dataSource, new PostgresOptions().WriteLinger);
        await batcher.StartAsync(CancellationToken.None);
        return new PostgresProviderSet(connectionString, dataSource, notifications, batcher, counter ?? new AttemptCounter());
    }

    public PostgresPruner Pruner(LogOptions stream, int attemptRetention = 5) => new(
        DataSource, Options.Create(FastOptions), Options.Create(stream), Options.Create(new DeliveryOptions { AttemptRetentionPerEndpoint = attemptRetention }),
        TimeProvider.System, NullLogger<PostgresPruner>.Instance);

    public async ValueTask DisposeAsync()
    {
        await Batcher.StopAsync(CancellationToken.None);
        Batcher.Dispose();
        await Notifications.StopAsync(CancellationToken.None);
        Notifications.Dispose();
        await DataSource.DisposeAsync();
    }
}
