using Herald.Grains;
using Herald.Silo.Hosting;
using Herald.Silo.Storage;
using Herald.Silo.Streams;
using Herald.Storage;
using Herald.Streams;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Postgres;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Cluster-mode providers of Herald's own storage: the log, endpoints, attempts and inbound events in PostgreSQL,
    /// with the key ring that seals the endpoints' secrets in it too, so every process reads the same keys.
    /// Registers the schema migrator first, so it runs (Herald's tables and Orleans's) before any hosted service,
    /// the silo included, reads the database.
    /// </summary>
    public static IServiceCollection AddPostgresProviders(this IServiceCollection services, string connectionString)
    {
        services.AddValidatedOptions<PostgresOptions>(PostgresOptions.Section);
        services.AddValidatedOptions<StreamOptions>(StreamOptions.Section);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "herald" }.Build());
        services.AddHostedService<SchemaMigrator>();
        services.AddStoredSecrets(
            dataProtection => dataProtection.Services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((keys, dataSource) => keys.XmlRepository = new PostgresKeyRing(dataSource)),
            PostgresKeyRing.Location);

        services.AddSingleton<PostgresNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresNotifications>());
        services.AddSingleton<IStreamLog, PostgresStreamLog>();
        services.AddSingleton(sp => new PostgresWriteBatcher(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IOptions<PostgresOptions>>().Value.WriteLinger));
        services.AddHostedService(sp => sp.GetRequiredService<PostgresWriteBatcher>());
        services.AddSingleton<IAttemptWriteBacklog>(sp => sp.GetRequiredService<PostgresWriteBatcher>());
        services.AddSingleton<IEndpointRegistry, PostgresEndpointRegistry>();
        services.AddSingleton<IAttemptLog, PostgresAttemptLog>();
        services.AddSingleton<IInboundEventStore, PostgresInboundEventStore>();
        services.AddSingleton<IActionCompletionStore, PostgresActionCompletionStore>();
        services.AddSingleton<ISubscriptionStore, PostgresSubscriptionStore>();
        services.AddHostedService<PostgresPruner>();
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [HealthTags.Ready]);
        return services;
    }
}
