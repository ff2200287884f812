using Herald.Contracts;

namespace Herald.MessageLog;

/// <summary>
/// The durable, ordered log every push and inbound event is appended to once. Consumers keep their own cursors.
/// An embedded hub keeps it in its data file (or in memory); a cluster keeps it in PostgreSQL.
/// </summary>
public interface IMessageLog
{
    /// <summary>
    /// Appends an entry; when this returns it is committed and has its sequence number. With an idempotency key,
    /// while the entry that first carried the key is retained, appending with that key again appends nothing and
    /// returns that entry, marked as a duplicate.
    /// </summary>
    ValueTask<AppendOutcome> AppendAsync(LogAppend entry, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxCount"/> retained entries with a sequence above <paramref name="afterSeq"/>, in order.</summary>
    ValueTask<IReadOnlyList<LogEntry>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default);

    ValueTask<LogBounds> GetBoundsAsync(CancellationToken cancellationToken = default);

    /// <summary>How many retained entries after <paramref name="afterSeq"/> the filter matches.</summary>
    ValueTask<long> CountAsync(long afterSeq, TopicFilter filter, CancellationToken cancellationToken = default);

    /// <summary>The first retained sequence appended at or after <paramref name="time"/>, or null if none.</summary>
    ValueTask<long?> FindFirstAtOrAfterAsync(DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="maxCount"/> retained entries, of one topic when <paramref name="topic"/> is given, oldest first.</summary>
    ValueTask<IReadOnlyList<LogEntry>> ReadNewestAsync(string? topic, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Per topic, how many retained entries were appended at or after <paramref name="since"/>, and when the last one was.</summary>
    ValueTask<IReadOnlyList<TopicActivity>> TopicActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Completes once the log head is above <paramref name="afterSeq"/>. Tailing readers await it instead of polling.</summary>
    ValueTask WaitForAppendAsync(long afterSeq, CancellationToken cancellationToken);
}

/// <summary>What an append writes: the topic and message, and optionally an event type and original payload (inbound events, pushes with <c>data</c>) and an idempotency key.</summary>
public sealed record LogAppend(string Topic, string Message, string? Type = null, string? Payload = null, string? IdempotencyKey = null);

/// <summary>The shapes of append the callers use, over the one <see cref="IMessageLog.AppendAsync(LogAppend, CancellationToken)"/>.</summary>
public static class MessageLogAppends
{
    /// <summary>Appends a message.</summary>
    public static async ValueTask<LogEntry> AppendAsync(this IMessageLog log, string topic, string message, CancellationToken cancellationToken = default) =>
        (await log.AppendAsync(new LogAppend(topic, message), cancellationToken).ConfigureAwait(false)).Entry;

    /// <summary>Appends a message that may carry an event type and an original payload (inbound events do).</summary>
    public static async ValueTask<LogEntry> AppendAsync(this IMessageLog log, string topic, string message, string? type, string? payload, CancellationToken cancellationToken = default) =>
        (await log.AppendAsync(new LogAppend(topic, message, type, payload), cancellationToken).ConfigureAwait(false)).Entry;

    /// <summary>Appends a message once per <paramref name="idempotencyKey"/>, optionally with its push's <c>data</c> as <paramref name="payload"/>.</summary>
    public static ValueTask<AppendOutcome> AppendOnceAsync(this IMessageLog log, string topic, string message, string idempotencyKey, string? payload = null, CancellationToken cancellationToken = default) =>
        log.AppendAsync(new LogAppend(topic, message, Payload: payload, IdempotencyKey: idempotencyKey), cancellationToken);

    /// <inheritdoc cref="AppendOnceAsync(IMessageLog, string, string, string, string?, CancellationToken)"/>
    public static ValueTask<AppendOutcome> AppendOnceAsync(this IMessageLog log, string topic, string message, string idempotencyKey, CancellationToken cancellationToken) =>
        log.AppendAsync(new LogAppend(topic, message, IdempotencyKey: idempotencyKey), cancellationToken);
}
