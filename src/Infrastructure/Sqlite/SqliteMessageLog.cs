using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Herald.MessageLog;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using static Herald.Infrastructure.Sqlite.SqliteValues;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// The embedded log in <c>herald_log</c>. This process is the only writer, so it knows the head exactly: tailing
/// readers wait on it in memory, and the newest entries are answered from a tail cache that every append extends,
/// so the grains a push wakes do not each read the file.
/// </summary>
internal sealed class SqliteMessageLog : IMessageLog
{
    internal const string Columns = "seq, topic, message, created_at, type, payload";
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly LogTailCache _tail;
    private readonly LogHead _head = new();

    // Touched only by writes, which run one at a time on the writer.
    private DateTimeOffset _lastTimestamp;

    public SqliteMessageLog(SqliteDatabase database, IOptions<SqliteOptions> options, TimeProvider time)
    {
        _database = database;
        _time = time;
        _tail = new LogTailCache(options.Value.LogTailEntries, options.Value.LogTailChars);
    }

    public ValueTask<AppendOutcome> AppendAsync(LogAppend entry, CancellationToken cancellationToken = default) =>
        new(AppendAsync(entry.Topic, entry.Message, entry.Type, entry.Payload, entry.IdempotencyKey));

    private Task<AppendOutcome> AppendAsync(string topic, string message, string? type, string? payload, string? idempotencyKey) =>
        _database.WriteAsync(
            commands =>
            {
                if (idempotencyKey is not null)
                {
                    var earlier = ReadAll(commands.Command($"SELECT {Columns} FROM herald_log WHERE idempotency_key = $1", idempotencyKey), ReadEntry);
                    if (earlier.Count > 0)
                    {
                        // As in PostgreSQL, a receipt does not carry the earlier push's type and data.
                        var first = earlier[0];
                        return new AppendOutcome(new LogEntry(first.Seq, first.Topic, first.Message, first.Timestamp), Duplicate: true);
                    }
                }

                return new AppendOutcome(Insert(commands, topic, message, type, payload, idempotencyKey), Duplicate: false);
            },
            outcome =>
            {
                if (!outcome.Duplicate)
                    Appended(outcome.Entry);
            });

    /// <summary>Inserts an entry inside a write (the inbound store appends its events this way); <see cref="Appended"/> must follow its commit.</summary>
    internal LogEntry Insert(SqliteCommands commands, string topic, string message, string? type, string? payload, string? idempotencyKey = null)
    {
        // Timestamps never go backwards, so time-based replay can search the log by time.
        var now = _time.GetUtcNow();
        _lastTimestamp = now > _lastTimestamp ? now : _lastTimestamp;
        var seq = (long)commands.Command(
            "INSERT INTO herald_log (topic, message, created_at, type, payload, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
            topic, message, Ticks(_lastTimestamp), type, payload, idempotencyKey).ExecuteScalar()!;
        return new LogEntry(seq, topic, message, _lastTimestamp, type, payload);
    }

    /// <summary>Makes a committed entry visible to tailing readers and the tail cache.</summary>
    internal void Appended(LogEntry entry)
    {
        _tail.Appended(entry);
        _head.Advance(entry.Seq);
    }

    /// <summary>Retention removed entries up to <paramref name="through"/>: the tail cache forgets them.</summary>
    internal void Pruned(long through) => _tail.DropThrough(through);

    public ValueTask<IReadOnlyList<LogEntry>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        // Nothing is committed above the head this process keeps: a reader that has caught up is answered without
        // touching the file, as is one the tail in memory holds.
        if (maxCount <= 0 || (_head.Known != LogHead.Unknown && afterSeq >= _head.Known))
            return ValueTask.FromResult<IReadOnlyList<LogEntry>>([]);
        if (_head.Known != LogHead.Unknown && _tail.TryRead(afterSeq, maxCount, _head.Known, out var cached))
            return ValueTask.FromResult(cached);
        return ReadFileAsync(afterSeq, maxCount);
    }

    private async ValueTask<IReadOnlyList<LogEntry>> ReadFileAsync(long afterSeq, int maxCount)
    {
        if (afterSeq >= await HeadAsync().ConfigureAwait(false))
            return [];
        var read = await _database.ReadAsync(c => Query(c, $"SELECT {Columns} FROM herald_log WHERE seq > $1 ORDER BY seq LIMIT $2", ReadEntry, afterSeq, maxCount)).ConfigureAwait(false);
        _tail.Record(afterSeq, read);
        return read;
    }

    public async ValueTask<IReadOnlyList<LogEntry>> ReadNewestAsync(string? topic, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount <= 0)
            return [];
        var newest = await _database.ReadAsync(c => topic is null
            ? Query(c, $"SELECT {Columns} FROM herald_log ORDER BY seq DESC LIMIT $1", ReadEntry, maxCount)
            : Query(c, $"SELECT {Columns} FROM herald_log WHERE topic = $1 ORDER BY seq DESC LIMIT $2", ReadEntry, topic, maxCount)).ConfigureAwait(false);
        newest.Reverse();
        return newest;
    }

    public async ValueTask<IReadOnlyList<TopicActivity>> TopicActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        await _database.ReadAsync(c => Query(c,
            "SELECT topic, count(*), max(created_at) FROM herald_log WHERE created_at >= $1 GROUP BY topic ORDER BY topic",
            r => new TopicActivity(r.GetString(0), r.GetInt64(1), Time(r, 2)), Ticks(since))).ConfigureAwait(false);

    public async ValueTask<LogBounds> GetBoundsAsync(CancellationToken cancellationToken = default) =>
        await _database.ReadAsync(ReadBounds).ConfigureAwait(false);

    public async ValueTask<long> CountAsync(long afterSeq, TopicFilter filter, CancellationToken cancellationToken = default)
    {
        var (condition, patterns) = SqliteTopicGlob.Condition(filter, firstParameter: 2);
        return await _database.ReadAsync(c =>
            (long)Scalar(c, $"SELECT count(*) FROM herald_log WHERE seq > $1 AND {condition}", [afterSeq, .. patterns])!).ConfigureAwait(false);
    }

    public async ValueTask<long?> FindFirstAtOrAfterAsync(DateTimeOffset time, CancellationToken cancellationToken = default) =>
        await _database.ReadAsync(c => Scalar(c, "SELECT min(seq) FROM herald_log WHERE created_at >= $1", Ticks(time)) is long seq ? (long?)seq : null).ConfigureAwait(false);

    public async ValueTask WaitForAppendAsync(long afterSeq, CancellationToken cancellationToken)
    {
        if (await HeadAsync().ConfigureAwait(false) <= afterSeq)
            await _head.WaitAboveAsync(afterSeq, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest committed sequence; read from the file once, then kept by this process's own appends.</summary>
    private async ValueTask<long> HeadAsync()
    {
        if (_head.Known == LogHead.Unknown)
            _head.Advance((await _database.ReadAsync(ReadBounds).ConfigureAwait(false)).Head);
        return _head.Known;
    }

    private static LogBounds ReadBounds(SqliteConnection connection)
    {
        // Every sequence handed out is in sqlite_sequence, so the head survives even a log that retention emptied.
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT (SELECT pruned_through FROM herald_log_meta), coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'herald_log'), 0)";
        using var reader = command.ExecuteReader();
        reader.Read();
        var prunedThrough = reader.GetInt64(0);
        return new LogBounds(prunedThrough + 1, Math.Max(reader.GetInt64(1), prunedThrough));
    }

    internal static LogEntry ReadEntry(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Time(reader, 3), NullableString(reader, 4), NullableString(reader, 5));
}
