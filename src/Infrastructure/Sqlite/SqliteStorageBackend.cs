using Herald.Contracts;
using Herald.Grains;
using Herald.MessageLog;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// An embedded hub's data in one SQLite file under <paramref name="dataPath"/>, with the key ring that seals the
/// endpoints' secrets beside it. The file is opened first, so it is taken (or refused) before any hosted service,
/// the silo included, reads it.
/// </summary>
internal sealed class SqliteStorageBackend(string dataPath) : StorageBackend
{
    public override void AddStores(IServiceCollection services)
    {
        services.AddValidatedOptions<SqliteOptions>(SqliteOptions.Section);
        services.AddSingleton(sp => new SqliteDatabase(dataPath, sp.GetRequiredService<IOptions<SqliteOptions>>(), sp.GetRequiredService<ILogger<SqliteDatabase>>()));
        services.AddHostedService<SqliteStartup>();
        var keyRing = Path.Combine(dataPath, SqliteDatabase.KeyRingFolderName);
        services.AddStoredSecrets(dataProtection => dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keyRing)), keyRing);
        services.AddSingleton<IAttemptWriteBacklog>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<SqliteMessageLog>();
        services.AddSingleton<IMessageLog>(sp => sp.GetRequiredService<SqliteMessageLog>());
        services.AddSingleton<IEndpointRegistry, SqliteEndpointRegistry>();
        services.AddKeyedSingleton<IAttemptLog, SqliteAttemptLog>(AttemptLogKey);
        services.AddSingleton<IInboundEventStore, SqliteInboundEventStore>();
        services.AddSingleton<IActionCompletionStore, SqliteActionCompletionStore>();
        services.AddSingleton<ISubscriptionStore, SqliteSubscriptionStore>();
        services.AddHostedService<SqlitePruner>();
    }

    /// <summary>
    /// Grain state in the file. Reminders and stream subscriptions stay in memory: a single silo's subscriptions are
    /// made again by the grains it activates, and a webhook's retry reminder is re-armed from its stored state when
    /// the sweep at start wakes every endpoint with work left (a pending retry is work).
    /// </summary>
    public override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddGrainStorage(DeliveryState.StorageName, (services, _) =>
            new SqliteGrainStorage(services.GetRequiredService<SqliteDatabase>(), new VersionedJsonGrainStorageSerializer()));
        silo.AddMemoryGrainStorage(PubSubStore);
        silo.UseInMemoryReminderService();
    }
}
