using Herald.Contracts;
using Herald.Grains;
using Herald.MessageLog;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// A cluster's data in PostgreSQL: Herald's stores, the key ring that seals the endpoints' secrets (so every process
/// reads the same keys), and Orleans's membership, grain state, stream subscriptions and reminders through its
/// ADO.NET providers on Npgsql. The schema migrator is registered first, so Herald's tables and Orleans's exist
/// before any hosted service, the silo included, reads the database.
/// </summary>
internal sealed class PostgresStorageBackend(string configured) : StorageBackend
{
    /// <summary>The ADO.NET providers' name for Npgsql.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    private readonly string _connectionString = PostgresConnectionString.WithDefaults(configured);

    public override void AddStores(IServiceCollection services)
    {
        services.AddValidatedOptions<PostgresOptions>(PostgresOptions.Section);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(_connectionString) { Name = "herald" }.Build());
        services.AddHostedService<SchemaMigrator>();
        services.AddStoredSecrets(
            dataProtection => dataProtection.Services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((keys, dataSource) => keys.XmlRepository = new PostgresKeyRing(dataSource)),
            PostgresKeyRing.Location);

        services.AddSingleton<PostgresNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresNotifications>());
        services.AddSingleton<IStorageReconnects>(sp => sp.GetRequiredService<PostgresNotifications>());
        services.AddSingleton<IMessageLog, PostgresMessageLog>();
        services.AddSingleton(sp => new PostgresWriteBatcher(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IOptions<PostgresOptions>>().Value.WriteLinger));
        services.AddHostedService(sp => sp.GetRequiredService<PostgresWriteBatcher>());
        services.AddSingleton<IAttemptWriteBacklog>(sp => sp.GetRequiredService<PostgresWriteBatcher>());
        services.AddSingleton<IEndpointRegistry, PostgresEndpointRegistry>();
        services.AddKeyedSingleton<IAttemptLog, PostgresAttemptLog>(AttemptLogKey);
        services.AddSingleton<IInboundEventStore, PostgresInboundEventStore>();
        services.AddSingleton<IActionCompletionStore, PostgresActionCompletionStore>();
        services.AddSingleton<ISubscriptionStore, PostgresSubscriptionStore>();
        services.AddHostedService<PostgresPruner>();
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [HealthTags.Ready]);
    }

    public override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = _connectionString;
        });
        silo.AddAdoNetGrainStorage(DeliveryState.StorageName, options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = _connectionString;
            options.GrainStorageSerializer = new VersionedJsonGrainStorageSerializer();
            options.DeleteStateOnClear = true;
        });
        silo.AddAdoNetGrainStorage(PubSubStore, options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = _connectionString;
        });
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = _connectionString;
        });
    }
}
