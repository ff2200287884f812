using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Herald.MessageLog;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// The cluster log: one row per message in <c>herald_log</c>. An append is one round trip to a function that
/// serializes appends, inserts and notifies; when it returns, the message is committed.
/// </summary>
internal sealed class PostgresMessageLog(NpgsqlDataSource dataSource, PostgresNotifications notifications, IOptions<PostgresOptions> options) : IMessageLog
{
    private readonly LogTailCache _tail = Following(notifications, options.Value);

    internal const string Columns = "seq, topic, message, created_at, type, payload";
    private readonly PostgresLogReadBatcher _reads = new(dataSource);

    public ValueTask<AppendOutcome> AppendAsync(LogAppend entry, CancellationToken cancellationToken = default) =>
        AppendAsync(entry.Topic, entry.Message, entry.Type, entry.Payload, entry.IdempotencyKey, cancellationToken);

    public async ValueTask<IReadOnlyList<LogEntry>> ReadNewestAsync(string? topic, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount <= 0)
            return [];
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM herald_log WHERE ($1::text IS NULL OR topic = $1) ORDER BY seq DESC LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)topic ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        var newest = new List<LogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            newest.Add(Read(reader));
        newest.Reverse();
        return newest;
    }

    public async ValueTask<IReadOnlyList<TopicActivity>> TopicActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT topic, count(*), max(created_at) FROM herald_log WHERE created_at >= $1 GROUP BY topic ORDER BY topic COLLATE \"C\"");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime() });
        var activity = new List<TopicActivity>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            activity.Add(new TopicActivity(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return activity;
    }

    private async ValueTask<AppendOutcome> AppendAsync(string topic, string message, string? type, string? payload, string? idempotencyKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT seq, created_at, topic, message, duplicate FROM herald_append($1, $2, $3, $4, $5)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)payload ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)idempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (reader.GetBoolean(4))
        {
            // The key's entry: an earlier push, whose type and data are not read back (a receipt does not carry them).
            return new AppendOutcome(new LogEntry(reader.GetInt64(0), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(1)), Duplicate: true);
        }

        var entry = new LogEntry(reader.GetInt64(0), topic, message, reader.GetFieldValue<DateTimeOffset>(1), type, payload);
        _tail.Appended(entry);
        notifications.Advance(entry.Seq);
        return new AppendOutcome(entry, Duplicate: false);
    }

    // As in the memory log, asking for nothing gets nothing (and never sends a negative LIMIT into a shared batch).
    public async ValueTask<IReadOnlyList<LogEntry>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount <= 0)
            return [];
        if (_tail.TryRead(afterSeq, maxCount, notifications.KnownHead, out var cached))
            return cached;
        var read = await _reads.ReadAsync(afterSeq, maxCount, cancellationToken).ConfigureAwait(false);
        _tail.Record(afterSeq, read);
        return read;
    }

    public async ValueTask<LogBounds> GetBoundsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT m.pruned_through, greatest(coalesce((SELECT max(seq) FROM herald_log), 0), m.pruned_through) FROM herald_log_meta m");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new LogBounds(reader.GetInt64(0) + 1, reader.GetInt64(1));
    }

    public async ValueTask<long> CountAsync(long afterSeq, TopicFilter filter, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM herald_log WHERE seq > $1 AND {TopicSql.Condition(filter, "$2")}");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        if (TopicSql.LikePatterns(filter) is { } patterns)
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = patterns, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask<long?> FindFirstAtOrAfterAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT min(seq) FROM herald_log WHERE created_at >= $1");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.ToUniversalTime() });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : null;
    }

    /// <summary>A cache that forgets what retention prunes anywhere in the cluster, and everything when the listener reconnects (it may have missed a prune).</summary>
    private static LogTailCache Following(PostgresNotifications notifications, PostgresOptions options)
    {
        var cache = new LogTailCache(options.LogTailEntries, options.LogTailChars);
        notifications.Pruned += cache.DropThrough;
        notifications.Reconnected += cache.Clear;
        return cache;
    }

    internal static LogEntry Read(System.Data.Common.DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5));

    public ValueTask WaitForAppendAsync(long afterSeq, CancellationToken cancellationToken) =>
        notifications.WaitForHeadAboveAsync(afterSeq, cancellationToken);
}
