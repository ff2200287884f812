using Herald.Infrastructure.Storage;

namespace Herald.Infrastructure.Sqlite;

/// <summary>The data folder: one process's at a time (a lock file), and private to its user.</summary>
public sealed partial class SqliteDatabase
{
    private void TakeFolder()
    {
        try
        {
            PrivateFiles.CreateFolder(Directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new HeraldStartupException(
                $"Herald cannot create its data folder {Directory}, or make it private to its user (0700): {exception.Message}. Set {StorageMode.DataPathKey} to a folder it owns, or start it with {StorageMode.InMemorySwitch}.", exception);
        }

        var lockPath = Path.Combine(Directory, LockFileName);
        try
        {
            // An exclusive lock the operating system drops with the process, however it ends (kill -9 included).
            var lockOptions = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                lockOptions.UnixCreateMode = PrivateFiles.FileMode;
            _lockFile = new FileStream(lockPath, lockOptions);
        }
        catch (IOException exception)
        {
            throw new HeraldStartupException(
                $"Herald's data in {Directory} is in use by another Herald process. Stop that one, or give this one its own folder with " +
                $"{StorageMode.DataPathKey}=<folder> (or start it with {StorageMode.InMemorySwitch} to keep nothing). ({exception.Message})");
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new HeraldStartupException($"Herald cannot write {lockPath}: {exception.Message}. Set {StorageMode.DataPathKey} to a folder it may write.", exception);
        }

        _lockFile.SetLength(0);
        using (var writer = new StreamWriter(_lockFile, leaveOpen: true))
            writer.Write(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // SQLite makes its write-ahead log and shared-memory files with the data file's mode, so a file made 0600 here
        // keeps them private too; files an older Herald made 0644 are narrowed.
        try
        {
            PrivateFiles.Restrict(lockPath, PrivateFiles.FileMode);
            PrivateFiles.CreateFile(FilePath);
            PrivateFiles.Restrict(FilePath + "-wal", PrivateFiles.FileMode);
            PrivateFiles.Restrict(FilePath + "-shm", PrivateFiles.FileMode);
            PrivateFiles.CreateFolder(KeyRingDirectory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            ReleaseFolder();
            throw new HeraldStartupException(
                $"Herald cannot make its data in {Directory} private to its user: {exception.Message}. Give the user Herald runs as ownership of the folder, or set {StorageMode.DataPathKey} to one it owns.", exception);
        }
    }

    private void ReleaseFolder()
    {
        _lockFile?.Dispose();
        _lockFile = null;
    }
}
