using Herald.Grains;
using Herald.Silo.Hosting;
using Herald.Silo.Streams;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.DependencyInjection;
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
        services.AddHostedService<SingleWriterLease>();

        services.AddSingleton<PostgresNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresNotifications>());
        services.AddSingleton<IStreamLog, PostgresStreamLog>();
        services.AddSingleton<IGrainStorage, PostgresGrainStorage>();
        services.AddSingleton<IEndpointRegistry, PostgresEndpointRegistry>();
        services.AddSingleton<IAttemptLog, PostgresAttemptLog>();
        services.AddSingleton<IDeliveryOutcomeFeed, MemoryDeliveryOutcomeFeed>();
        services.AddHostedService<PostgresPruner>();
        services.AddHostedService<PendingDeliveryResumer>();
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [HealthTags.Ready]);
        return services;
    }
}
