using Herald.Contracts;
using Herald.MessageLog;

namespace Herald.Testing;

/// <summary>A log as a part under test sees it, counting the reads of entries it makes.</summary>
public sealed class ReadCountingLog(IMessageLog inner) : IMessageLog
{
    private long _reads;

    /// <summary>Calls of <see cref="ReadAsync"/> so far.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    public ValueTask<IReadOnlyList<LogEntry>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.ReadAsync(afterSeq, maxCount, cancellationToken);
    }

    public ValueTask<AppendOutcome> AppendAsync(LogAppend entry, CancellationToken cancellationToken = default) => inner.AppendAsync(entry, cancellationToken);

    public ValueTask<LogBounds> GetBoundsAsync(CancellationToken cancellationToken = default) => inner.GetBoundsAsync(cancellationToken);

    public ValueTask<long> CountAsync(long afterSeq, TopicFilter filter, CancellationToken cancellationToken = default) => inner.CountAsync(afterSeq, filter, cancellationToken);

    public ValueTask<long?> FindFirstAtOrAfterAsync(DateTimeOffset time, CancellationToken cancellationToken = default) => inner.FindFirstAtOrAfterAsync(time, cancellationToken);

    public ValueTask<IReadOnlyList<LogEntry>> ReadNewestAsync(string? topic, int maxCount, CancellationToken cancellationToken = default) => inner.ReadNewestAsync(topic, maxCount, cancellationToken);

    public ValueTask<IReadOnlyList<TopicActivity>> TopicActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => inner.TopicActivityAsync(since, cancellationToken);

    public ValueTask WaitForAppendAsync(long afterSeq, CancellationToken cancellationToken) => inner.WaitForAppendAsync(afterSeq, cancellationToken);
}
