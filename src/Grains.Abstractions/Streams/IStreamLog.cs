using Herald.Contracts;

namespace Herald.Streams;

/// <summary>
/// The durable, ordered log every push and inbound event is appended to once. Consumers keep their own cursors.
/// The embedded provider keeps it in memory; the cluster provider keeps it in PostgreSQL.
/// </summary>
public interface IStreamLog
{
    /// <summary>Appends a message. When this returns, the message is committed and has its sequence number.</summary>
    ValueTask<StreamMessage> AppendAsync(string topic, string message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a message once per <paramref name="idempotencyKey"/>: while the entry that first carried the key is
    /// retained, appending with that key again appends nothing and returns that entry, marked as a duplicate.
    /// </summary>
    ValueTask<AppendOutcome> AppendOnceAsync(string topic, string message, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="AppendOnceAsync(string, string, string, CancellationToken)"/> for a push that carries a JSON object
    /// (<paramref name="payload"/>, its <c>data</c>) beside its message.
    /// </summary>
    ValueTask<AppendOutcome> AppendOnceAsync(string topic, string message, string idempotencyKey, string? payload, CancellationToken cancellationToken = default);

    /// <summary>Appends a message that may carry an event type and an original payload (inbound events do).</summary>
    ValueTask<StreamMessage> AppendAsync(string topic, string message, string? type, string? payload, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxCount"/> retained entries with a sequence above <paramref name="afterSeq"/>, in order.</summary>
    ValueTask<IReadOnlyList<StreamMessage>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default);

    ValueTask<LogBounds> GetBoundsAsync(CancellationToken cancellationToken = default);

    /// <summary>How many retained entries after <paramref name="afterSeq"/> the filter matches.</summary>
    ValueTask<long> CountAsync(long afterSeq, TopicFilter filter, CancellationToken cancellationToken = default);

    /// <summary>The first retained sequence appended at or after <paramref name="time"/>, or null if none.</summary>
    ValueTask<long?> FindFirstAtOrAfterAsync(DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="maxCount"/> retained entries, of one topic when <paramref name="topic"/> is given, oldest first.</summary>
    ValueTask<IReadOnlyList<StreamMessage>> ReadNewestAsync(string? topic, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Per topic, how many retained entries were appended at or after <paramref name="since"/>, and when the last one was.</summary>
    ValueTask<IReadOnlyList<TopicActivity>> TopicActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Completes once the log head is above <paramref name="afterSeq"/>. Tailing readers await it instead of polling.</summary>
    ValueTask WaitForAppendAsync(long afterSeq, CancellationToken cancellationToken);
}
