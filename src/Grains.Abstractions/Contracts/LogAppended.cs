namespace Herald.Contracts;

/// <summary>
/// A log entry as announced on the Orleans stream that feeds every gateway's SSE listeners. The log stays the
/// record: a listener that misses an announcement (a gap in sequence numbers) reads the gap from the log.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.LogAppended")]
public sealed record LogAppended(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Topic,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset Timestamp,
    [property: Id(4)] string? Type,
    [property: Id(5)] string? Payload)
{
    public const string StreamProvider = "herald";

    /// <summary>One stream for the whole log (one namespace, one key): one queue, so announcements arrive in the order they were made.</summary>
    public const string StreamNamespace = "herald-log";

    public const string StreamKey = "all";

    public static LogAppended From(LogEntry entry) => new(entry.Seq, entry.Topic, entry.Message, entry.Timestamp, entry.Type, entry.Payload);

    public LogEntry ToMessage() => new(Seq, Topic, Message, Timestamp, Type, Payload);
}
