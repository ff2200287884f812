using Herald.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// The embedded hub's data file. One process owns it (a lock file beside it says so), one connection writes
/// (<see cref="SqliteWriter"/>: group commit), and any number of pooled connections read alongside in WAL mode.
/// Opened, created and migrated on first use; the hosted <see cref="SqliteStartup"/> makes that the start of the host.
/// </summary>
public sealed partial class SqliteDatabase : IAttemptWriteBacklog, IDisposable
{
    public const string KeyRingFolderName = "keys";
    private const string LockFileName = "herald.lock";
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly Lock _checkpointGate = new();
    private readonly IOptions<SqliteOptions> _options;
    private readonly ILogger<SqliteDatabase> _logger;
    private FileStream? _lockFile;
    private Timer? _checkpoints;
    private SqliteWriter? _writer;
    private string? _readConnectionString;
    private bool _disposed;

    public SqliteDatabase(string directory, IOptions<SqliteOptions> options, ILogger<SqliteDatabase> logger)
    {
        Directory = directory;
        FilePath = Path.Combine(directory, SqliteOptions.FileName);
        _options = options;
        _logger = logger;
    }

    public string Directory { get; }

    public string FilePath { get; }

    /// <summary>The Data Protection key ring that opens the secrets sealed in the file: kept with it, as private as it.</summary>
    public string KeyRingDirectory => Path.Combine(Directory, KeyRingFolderName);

    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = MigrationScripts.Load("Herald.Sqlite.Migrations.");

    /// <summary>Commits pending and waiting to be; it never stays high unless the disk cannot keep up.</summary>
    public int PendingWrites => Volatile.Read(ref _writer)?.PendingWrites ?? 0;

    /// <summary>Takes the data folder for this process, creating and migrating the file when needed. Idempotent.</summary>
    public void Open()
    {
        if (Volatile.Read(ref _writer) is not null)
            return;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
                return;
            TakeFolder();
            var builder = new SqliteConnectionStringBuilder { DataSource = FilePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, ForeignKeys = true };
            var connection = new SqliteConnection(builder.ToString());
            try
            {
                connection.Open();
                Execute(connection, "PRAGMA journal_mode = WAL");
                Execute(connection, $"PRAGMA synchronous = {_options.Value.Synchronous.ToString().ToUpperInvariant()}");

                // The write-ahead log is emptied into the file at each checkpoint but keeps its size; past this it is cut back.
                Execute(connection, "PRAGMA journal_size_limit = 67108864");

                // Checkpoints run beside the writer (see Checkpoint), not inside whichever commit crosses the threshold:
                // that commit might be a push's.
                Execute(connection, "PRAGMA wal_autocheckpoint = 0");
                Migrate(connection);
                _readConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Mode = SqliteOpenMode.ReadWrite, Pooling = true, DefaultTimeout = 30 }.ToString();
                Volatile.Write(ref _writer, new SqliteWriter(connection, _options.Value.WriteLinger, _logger));
                _checkpoints = new Timer(_ => Checkpoint(), null, CheckpointInterval, CheckpointInterval);
                Opened(_logger, FilePath);
            }
            catch (SqliteException exception)
            {
                connection.Dispose();
                ReleaseFolder();
                throw new HeraldStartupException(
                    $"Herald cannot use its data file {FilePath}: {exception.Message}. Move the file aside to start fresh, or point {StorageMode.DataPathKey} at another folder.", exception);
            }
            catch
            {
                connection.Dispose();
                ReleaseFolder();
                throw;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on a pooled connection of its own, on a thread-pool thread: it sees every commit
    /// acknowledged before it started. Microsoft.Data.Sqlite's async methods run synchronously, so the caller (a grain
    /// turn, a request) awaits the thread instead of holding its own while the file answers.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> read) => Task.Run(() => Read(read));

    /// <summary><see cref="ReadAsync{T}"/> inside one read transaction: every statement of <paramref name="read"/> sees the same commits.</summary>
    public Task<T> ReadSnapshotAsync<T>(Func<SqliteConnection, T> read) => ReadAsync(connection =>
    {
        Execute(connection, "BEGIN");
        try
        {
            return read(connection);
        }
        finally
        {
            Execute(connection, "COMMIT");
        }
    });

    private T Read<T>(Func<SqliteConnection, T> read)
    {
        Open();
        using var connection = new SqliteConnection(_readConnectionString);
        connection.Open();
        return read(connection);
    }

    /// <summary>
    /// Queues <paramref name="write"/> for the writer, which runs it in the next transaction; the task completes once
    /// that transaction is committed. <paramref name="committed"/> runs after the commit, on the writer, in commit
    /// order. A lazy write (bookkeeping) may wait <see cref="SqliteOptions.WriteLinger"/> for others to join it.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteCommands, T> write, Action<T>? committed = null, bool lazy = false)
    {
        Open();
        var writer = Volatile.Read(ref _writer) ?? throw new ObjectDisposedException(nameof(SqliteDatabase), "Herald's data file is closed; the write was not made.");
        return writer.Enqueue(write, committed, lazy);
    }

    /// <summary>Waits until every write queued so far is committed (or failed).</summary>
    public Task FlushAsync() => Volatile.Read(ref _writer) is { } writer ? writer.Enqueue<bool>(_ => true, null, lazy: false) : Task.CompletedTask;

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }

        _checkpoints?.Dispose();

        // A checkpoint under way finishes first; none starts after this.
        lock (_checkpointGate)
        {
            _writer?.Dispose();
            _writer = null;
            if (_readConnectionString is not null)
            {
                // Idle readers keep the file open; this file's alone are closed (other databases in the process keep theirs).
                using var pooled = new SqliteConnection(_readConnectionString);
                SqliteConnection.ClearPool(pooled);
            }

            ReleaseFolder();
        }
    }

    /// <summary>
    /// Copies committed pages from the write-ahead log into the file, on a connection of its own, while the writer
    /// goes on (a passive checkpoint never blocks it). Once everything is copied, the next write starts the log over,
    /// so it stays small.
    /// </summary>
    private void Checkpoint()
    {
        try
        {
            lock (_checkpointGate)
            {
                if (Volatile.Read(ref _disposed))
                    return;
                using var connection = new SqliteConnection(_readConnectionString);
                connection.Open();
                Execute(connection, "PRAGMA wal_checkpoint(PASSIVE)");
            }
        }
        catch (SqliteException exception)
        {
            CheckpointFailed(_logger, exception);
        }
    }

    private void Migrate(SqliteConnection connection)
    {
        using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        var current = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var newest = Scripts[^1].Version;
        if (current > newest)
        {
            throw new HeraldStartupException(
                $"{FilePath} has schema version {current}, written by a newer Herald; this one reads up to version {newest}. Run the newer Herald, or point {StorageMode.DataPathKey} elsewhere.");
        }

        foreach (var (version, name, sql) in Scripts.Where(s => s.Version > current))
        {
            Execute(connection, "BEGIN IMMEDIATE");
            try
            {
                Execute(connection, sql);
                Execute(connection, $"PRAGMA user_version = {version}");
                Execute(connection, "COMMIT");
            }
            catch
            {
                Execute(connection, "ROLLBACK");
                throw;
            }

            MigrationApplied(_logger, version, name);
        }
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Herald keeps its data in {Path}")]
    private static partial void Opened(ILogger logger, string path);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Checkpointing the data file failed; it is tried again in a second")]
    private static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Applied SQLite schema migration {Version} ({Name})")]
    private static partial void MigrationApplied(ILogger logger, int version, string name);
}
