using Microsoft.Data.Sqlite;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// The one connection that writes, on a thread of its own (SQLite's calls block). Whatever writes are waiting when
/// it comes round go into one transaction, so a burst costs one commit (and one disk flush) instead of one each; a
/// write's task completes only when its transaction is committed. A write that throws is left out and the others of
/// its transaction run again without it, so one bad write never fails its neighbours.
/// </summary>
internal sealed partial class SqliteWriter : IDisposable
{
    private const int MaxBatch = 2000;
    private readonly object _gate = new();
    private readonly Queue<Write> _queue = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteCommands _commands;
    private readonly TimeSpan _linger;
    private readonly Thread _thread;
    private bool _stopping;
    private int _pending;

    private readonly ILogger _logger;

    public SqliteWriter(SqliteConnection connection, TimeSpan linger, ILogger logger)
    {
        _logger = logger;
        _connection = connection;
        _commands = new SqliteCommands(connection);
        _linger = linger;
        _thread = new Thread(Run) { IsBackground = true, Name = "Herald SQLite writer" };
        _thread.Start();
    }

    public int PendingWrites => Volatile.Read(ref _pending);

    public Task<T> Enqueue<T>(Func<SqliteCommands, T> write, Action<T>? committed, bool lazy)
    {
        var pending = new Write<T>(write, committed, lazy);
        lock (_gate)
        {
            if (_stopping)
                throw new ObjectDisposedException(nameof(SqliteWriter), "Herald's data file is closed; the write was not made.");
            _queue.Enqueue(pending);
            _pending++;

            // Lazy writes that find others waiting do not hurry the writer; anything else does.
            if (!lazy || _queue.Count == 1)
                Monitor.Pulse(_gate);
        }

        return pending.Task;
    }

    /// <summary>Commits what is queued, then stops and closes the connection.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
        _commands.Dispose();
        _connection.Dispose();
    }

    private void Run()
    {
        var batch = new List<Write>(MaxBatch);
        while (true)
        {
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping)
                    Monitor.Wait(_gate);
                if (_queue.Count == 0)
                    return;
                if (!_stopping && _linger > TimeSpan.Zero && _queue.Count < MaxBatch && _queue.All(w => w.Lazy))
                    Monitor.Wait(_gate, _linger);
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
                    batch.Add(next);
            }

            try
            {
                Commit(batch);
            }
            catch (Exception exception)
            {
                // Never the end of the writer: whoever waits for these writes hears of it, and the next batch goes on.
                foreach (var write in batch)
                    write.Fail(exception);
            }

            lock (_gate)
                _pending -= batch.Count;
            batch.Clear();
        }
    }

    private void Commit(List<Write> batch)
    {
        var remaining = new List<Write>(batch);
        while (remaining.Count > 0)
        {
            Write? failed = null;
            Exception? failure = null;
            try
            {
                SqliteDatabase.Execute(_connection, "BEGIN IMMEDIATE");
            }
            catch (Exception exception)
            {
                foreach (var write in remaining)
                    write.Fail(exception);
                return;
            }

            foreach (var write in remaining)
            {
                try
                {
                    write.Run(_commands);
                }
                catch (Exception exception)
                {
                    (failed, failure) = (write, exception);
                    break;
                }
            }

            if (failed is not null)
            {
                Rollback();
                failed.Fail(failure!);
                remaining.Remove(failed);
                continue;
            }

            try
            {
                SqliteDatabase.Execute(_connection, "COMMIT");
            }
            catch (Exception exception)
            {
                Rollback();
                foreach (var write in remaining)
                    write.Fail(exception);
                return;
            }

            foreach (var write in remaining)
            {
                if (write.Committed() is { } exception)
                    AfterCommitFailed(_logger, exception);
            }

            return;
        }
    }

    private void Rollback()
    {
        try
        {
            SqliteDatabase.Execute(_connection, "ROLLBACK");
        }
        catch (SqliteException)
        {
            // SQLite rolled back by itself already (it does on some errors).
        }
    }

    private abstract class Write(bool lazy)
    {
        public bool Lazy { get; } = lazy;

        public abstract void Run(SqliteCommands commands);

        /// <summary>Runs what follows the commit and completes the write; returns what that step threw, if anything.</summary>
        public abstract Exception? Committed();

        public abstract void Fail(Exception exception);
    }

    private sealed class Write<T>(Func<SqliteCommands, T> write, Action<T>? committed, bool lazy) : Write(lazy)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public override void Run(SqliteCommands commands) => _result = write(commands);

        public override Exception? Committed()
        {
            Exception? failed = null;
            try
            {
                committed?.Invoke(_result);
            }
            catch (Exception exception)
            {
                // Committed all the same; what follows a commit (waking readers) must not undo it.
                failed = exception;
            }

            _done.TrySetResult(_result);
            return failed;
        }

        public override void Fail(Exception exception) => _done.TrySetException(exception);
    }

    [LoggerMessage(EventId = 4105, Level = LogLevel.Error, Message = "A step after a committed write to the data file failed")]
    private static partial void AfterCommitFailed(ILogger logger, Exception exception);
}
