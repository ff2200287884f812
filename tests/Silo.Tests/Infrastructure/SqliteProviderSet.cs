using Herald.Grains.Delivery;
using Herald.Infrastructure.Sqlite;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Herald.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Silo.Tests.Infrastructure;

/// <summary>
/// The SQLite providers over a data file in a fresh temporary folder, as the embedded hub builds them. Reopening
/// closes the file and opens it again, as a restart of the hub does; disposing removes the folder.
/// </summary>
internal sealed class SqliteProviderSet : IAsyncDisposable
{
    private SqliteProviderSet(string directory, SqliteOptions options, AttemptCounter counter)
    {
        Directory = directory;
        Options = options;
        Database = new SqliteDatabase(directory, Microsoft.Extensions.Options.Options.Create(options), NullLogger<SqliteDatabase>.Instance);
        Database.Open();
        Log = new SqliteMessageLog(Database, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System);
        Registry = new SqliteEndpointRegistry(Database, TestSecrets.ForDataFolder(directory));
        Attempts = new CountingAttemptLog(new SqliteAttemptLog(Database, Microsoft.Extensions.Options.Options.Create(new DeliveryOptions { AttemptRetentionPerEndpoint = 5 })), counter);
        Events = new SqliteInboundEventStore(Database, Log);
        Completions = new SqliteActionCompletionStore(Database);
        Subscriptions = new SqliteSubscriptionStore(Database, TimeProvider.System);
    }

    public string Directory { get; }

    public SqliteOptions Options { get; }

    public SqliteDatabase Database { get; private set; }

    public SqliteMessageLog Log { get; }

    public SqliteEndpointRegistry Registry { get; }

    public IAttemptLog Attempts { get; }

    public SqliteInboundEventStore Events { get; }

    public SqliteActionCompletionStore Completions { get; }

    public SqliteSubscriptionStore Subscriptions { get; }

    /// <summary>A fresh set; attempts linger 1 ms, so a test that awaits each one does not wait the default 100 ms for it.</summary>
    public static SqliteProviderSet Create(AttemptCounter? counter = null, SqliteOptions? options = null) =>
        new(NewDirectory(), options ?? new SqliteOptions { WriteLinger = TimeSpan.FromMilliseconds(1) }, counter ?? new AttemptCounter());

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "herald-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Closes the file and opens it again in a new set of providers: what a restarted hub finds.</summary>
    public SqliteProviderSet Reopen()
    {
        Database.Dispose();
        return new SqliteProviderSet(Directory, Options, new AttemptCounter());
    }

    public SqlitePruner Pruner(LogOptions stream, int attemptRetention = 5) => new(
        Database, Log, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(stream),
        Microsoft.Extensions.Options.Options.Create(new DeliveryOptions { AttemptRetentionPerEndpoint = attemptRetention }), TimeProvider.System,
        NullLogger<SqlitePruner>.Instance);

    public ValueTask DisposeAsync()
    {
        Database.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A reopened set shares the folder; whichever is disposed last removes it.
        }

        return ValueTask.CompletedTask;
    }
}
