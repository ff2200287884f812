using Herald.Grains;
using Herald.Runtime;
using Herald.Silo.Cluster;
using Herald.Silo.Storage;
using Herald.Silo.Runtime;
using Herald.Silo.Streams;
using Herald.Silo.Hosting;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Postgres;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Cluster-mode providers: log, endpoints, grain state and attempts in PostgreSQL. Registers the schema
    /// migrator first, so it runs before any hosted service that reads the database.
    /// </summary>
    public static IServiceCollection AddPostgresProviders(this IServiceCollection services, string connectionString)
    {
        services.AddValidatedOptions<PostgresOptions>(PostgresOptions.Section);
        services.AddValidatedOptions<StreamOptions>(StreamOptions.Section);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "herald" }.Build());
        services.AddHostedService<SchemaMigrator>();

        services.AddSingleton<PostgresNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresNotifications>());
        services.AddSingleton<IStreamLog, PostgresStreamLog>();
        services.AddSingleton(sp => new PostgresWriteBatcher(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IOptions<PostgresOptions>>().Value.WriteLinger));
        services.AddHostedService(sp => sp.GetRequiredService<PostgresWriteBatcher>());
        services.AddSingleton<IStorageBacklog>(sp => sp.GetRequiredService<PostgresWriteBatcher>());
        services.AddSingleton<IEndpointRegistry, PostgresEndpointRegistry>();
        services.AddSingleton<IAttemptLog, PostgresAttemptLog>();
        services.AddSingleton<IInboundEventStore, PostgresInboundEventStore>();
        services.AddHostedService<PostgresPruner>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [HealthTags.Ready])
            .AddCheck<ClusterReadinessCheck>("membership", tags: [HealthTags.Ready]);

        // Membership, leases and placement: started after the migrator and the listener, before the grain runtime,
        // and so stopped after the grains (leases are handed back once their grains have stopped).
        services.AddSingleton<ClusterMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddSingleton<PartitionLeaseManager>();
        services.AddHostedService(sp => sp.GetRequiredService<PartitionLeaseManager>());
        services.AddSingleton<IGrainPlacement>(sp => sp.GetRequiredService<PartitionLeaseManager>());
        services.AddSingleton<IWriteFence>(sp => sp.GetRequiredService<PartitionLeaseManager>());
        services.AddSingleton<IGrainStorage>(sp => new PostgresGrainStorage(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<PostgresWriteBatcher>(), sp.GetRequiredService<IWriteFence>()));
        services.AddSingleton<ClusterKey>();
        services.AddSingleton<IRemoteGrainInvoker, RemoteGrainInvoker>();
        services.AddSingleton<PostgresOutcomeFeed>();
        services.AddSingleton<IDeliveryOutcomeFeed>(sp => sp.GetRequiredService<PostgresOutcomeFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresOutcomeFeed>());
        return services;
    }
}
