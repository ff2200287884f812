using Herald.Grains;
using Herald.Silo.Hosting;
using Herald.Silo.Storage;
using Herald.Silo.Streams;
using Herald.Storage;
using Herald.Streams;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Embedded-mode providers of Herald's own storage in one SQLite file under <paramref name="dataPath"/>: the log,
    /// endpoints, attempts, inbound events, action completions and subscriptions, with the key ring that seals the
    /// endpoints' secrets beside it. Registers the file's opening first, so it is taken (or refused) before any hosted
    /// service, the silo included, reads it.
    /// </summary>
    public static IServiceCollection AddSqliteProviders(this IServiceCollection services, string dataPath)
    {
        services.AddValidatedOptions<SqliteOptions>(SqliteOptions.Section);
        services.AddValidatedOptions<StreamOptions>(StreamOptions.Section);
        services.AddSingleton(sp => new SqliteDatabase(dataPath, sp.GetRequiredService<IOptions<SqliteOptions>>(), sp.GetRequiredService<ILogger<SqliteDatabase>>()));
        services.AddHostedService<SqliteStartup>();
        var keyRing = Path.Combine(dataPath, SqliteDatabase.KeyRingFolderName);
        services.AddStoredSecrets(dataProtection => dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keyRing)), keyRing);
        services.AddSingleton<IAttemptWriteBacklog>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<SqliteStreamLog>();
        services.AddSingleton<IStreamLog>(sp => sp.GetRequiredService<SqliteStreamLog>());
        services.AddSingleton<IEndpointRegistry, SqliteEndpointRegistry>();
        services.AddSingleton<IAttemptLog, SqliteAttemptLog>();
        services.AddSingleton<IInboundEventStore, SqliteInboundEventStore>();
        services.AddSingleton<IActionCompletionStore, SqliteActionCompletionStore>();
        services.AddSingleton<ISubscriptionStore, SqliteSubscriptionStore>();
        services.AddHostedService<SqlitePruner>();
        return services;
    }
}
