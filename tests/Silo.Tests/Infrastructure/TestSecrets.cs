using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.Sqlite;
using Herald.Infrastructure.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Herald.Silo.Tests.Infrastructure;

/// <summary>The sealing the hub's storage registers, with its key ring where the hub keeps it.</summary>
internal static class TestSecrets
{
    /// <summary>The embedded hub's: the key ring in the data folder's <c>keys</c>.</summary>
    public static StoredSecrets ForDataFolder(string directory) =>
        Build(dataProtection => dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(directory, SqliteDatabase.KeyRingFolderName))));

    /// <summary>A cluster process's: the key ring in the database.</summary>
    public static StoredSecrets ForDatabase(NpgsqlDataSource dataSource) =>
        Build(dataProtection => dataProtection.Services.Configure<KeyManagementOptions>(keys => keys.XmlRepository = new PostgresKeyRing(dataSource)));

    private static StoredSecrets Build(Action<IDataProtectionBuilder> keepKeys)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddStoredSecrets(keepKeys, "test");
        return services.BuildServiceProvider().GetRequiredService<StoredSecrets>();
    }
}
