using Herald.Grains;
using Herald.Grains.Telemetry;
using Herald.Infrastructure.MessageLog;
using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.Sqlite;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Herald.Infrastructure.Hosting;

/// <summary>The one place a <see cref="StorageMode"/> becomes a <see cref="StorageBackend"/>.</summary>
public static class StorageHostingExtensions
{
    /// <summary>
    /// The stores of <paramref name="storage"/>'s backend, and what sits above every backend: the mode itself, the log's
    /// options, the attempt counter every attempt log reports through, and the storage backlog.
    /// </summary>
    public static IServiceCollection AddHeraldStorage(this IServiceCollection services, StorageMode storage)
    {
        services.AddSingleton(storage);
        services.AddValidatedOptions<LogOptions>(LogOptions.Section, LogOptions.FormerSection);
        services.AddHostedService<RenamedSettingsReport>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AttemptCounter>();
        Backend(storage).AddStores(services);
        services.AddSingleton<IAttemptLog>(sp => new CountingAttemptLog(
            sp.GetRequiredKeyedService<IAttemptLog>(StorageBackend.AttemptLogKey), sp.GetRequiredService<AttemptCounter>()));
        services.AddSingleton<IStorageBacklog>(sp => new StorageBacklog(sp.GetRequiredService<WebhookGrainCounters>(), sp.GetService<IAttemptWriteBacklog>()));
        return services;
    }

    /// <summary>What Orleans keeps in <paramref name="storage"/>: grain state, stream subscriptions, reminders, and a cluster's membership.</summary>
    public static ISiloBuilder AddHeraldStorage(this ISiloBuilder silo, StorageMode storage)
    {
        Backend(storage).ConfigureSilo(silo);
        return silo;
    }

    private static StorageBackend Backend(StorageMode storage) => storage.Kind switch
    {
        StorageKind.Postgres => new PostgresStorageBackend(storage.ConnectionString!),
        StorageKind.Sqlite => new SqliteStorageBackend(storage.DataPath!),
        _ => new MemoryStorageBackend(),
    };
}
