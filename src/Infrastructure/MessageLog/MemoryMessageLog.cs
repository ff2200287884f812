using Herald.Contracts;
using Herald.MessageLog;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.MessageLog;

/// <summary>
/// The embedded log: an in-memory list with contiguous sequence numbers, pruned in batches so an append stays
/// O(1) amortized. Tailing readers wait on a completion that each append replaces.
/// </summary>
internal sealed class MemoryMessageLog(IOptions<LogOptions> options, TimeProvider time) : IMessageLog
{
    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = [];

    // Sequences per topic, so an endpoint's lag is a binary search per topic rather than a scan of the log.
    private readonly Dictionary<string, TopicSeqs> _byTopic = new(StringComparer.Ordinal);

    // Idempotency keys of retained entries, and the order to forget them in as entries are pruned.
    private readonly Dictionary<string, long> _keys = new(StringComparer.Ordinal);
    private readonly Queue<(long Seq, string Key)> _keyOrder = new();
    private readonly LogHead _appended = new(known: 0);
    private long _head;
    private DateTimeOffset _lastTimestamp;

    public ValueTask<AppendOutcome> AppendAsync(LogAppend entry, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Append(entry.Topic, entry.Message, entry.Type, entry.Payload, entry.IdempotencyKey));

    public ValueTask<IReadOnlyList<LogEntry>> ReadNewestAsync(string? topic, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var newest = new List<LogEntry>(Math.Min(Math.Max(maxCount, 0), 1000));
            for (var i = _entries.Count - 1; i >= 0 && newest.Count < maxCount; i--)
            {
                if (topic is null || _entries[i].Topic == topic)
                    newest.Add(_entries[i]);
            }

            newest.Reverse();
            return ValueTask.FromResult<IReadOnlyList<LogEntry>>(newest);
        }
    }

    public ValueTask<IReadOnlyList<TopicActivity>> TopicActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var activity = new Dictionary<string, (long Count, DateTimeOffset Last)>(StringComparer.Ordinal);
            // Timestamps never go backwards, so the window is a suffix of the log.
            for (var i = _entries.Count - 1; i >= 0 && _entries[i].Timestamp >= since; i--)
            {
                var entry = _entries[i];
                activity[entry.Topic] = activity.TryGetValue(entry.Topic, out var seen) ? (seen.Count + 1, seen.Last) : (1, entry.Timestamp);
            }

            return ValueTask.FromResult<IReadOnlyList<TopicActivity>>(
                activity.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new TopicActivity(a.Key, a.Value.Count, a.Value.Last)).ToArray());
        }
    }

    private AppendOutcome Append(string topic, string message, string? type, string? payload, string? idempotencyKey)
    {
        LogEntry entry;
        lock (_gate)
        {
            if (idempotencyKey is not null && _keys.TryGetValue(idempotencyKey, out var earlier))
                return new AppendOutcome(_entries[IndexAfterLocked(earlier - 1)], Duplicate: true);

            // Timestamps never go backwards, so time-based replay can binary-search the log.
            var now = time.GetUtcNow();
            _lastTimestamp = now > _lastTimestamp ? now : _lastTimestamp;
            entry = new LogEntry(++_head, topic, message, _lastTimestamp, type, payload);
            _entries.Add(entry);
            if (!_byTopic.TryGetValue(topic, out var seqs))
                _byTopic[topic] = seqs = new TopicSeqs();
            seqs.Add(entry.Seq);
            if (idempotencyKey is not null)
            {
                _keys[idempotencyKey] = entry.Seq;
                _keyOrder.Enqueue((entry.Seq, idempotencyKey));
            }

            PruneLocked();
        }

        _appended.Advance(entry.Seq);
        return new AppendOutcome(entry, Duplicate: false);
    }

    public ValueTask<IReadOnlyList<LogEntry>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var index = IndexAfterLocked(afterSeq);
            var count = Math.Min(maxCount, _entries.Count - index);
            return ValueTask.FromResult<IReadOnlyList<LogEntry>>(count <= 0 ? [] : _entries.GetRange(index, count));
        }
    }

    public ValueTask<LogBounds> GetBoundsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(BoundsLocked());
    }

    public ValueTask<long> CountAsync(long afterSeq, TopicFilter filter, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            long count = 0;
            foreach (var (topic, seqs) in _byTopic)
            {
                if (filter.Matches(topic))
                    count += seqs.CountAfter(afterSeq);
            }

            return ValueTask.FromResult(count);
        }
    }

    public ValueTask<long?> FindFirstAtOrAfterAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            int low = 0, high = _entries.Count;
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (_entries[mid].Timestamp < time)
                    low = mid + 1;
                else
                    high = mid;
            }

            return ValueTask.FromResult<long?>(low < _entries.Count ? _entries[low].Seq : null);
        }
    }

    public ValueTask WaitForAppendAsync(long afterSeq, CancellationToken cancellationToken) => _appended.WaitAboveAsync(afterSeq, cancellationToken);

    private LogBounds BoundsLocked() => new(_entries.Count > 0 ? _entries[0].Seq : _head + 1, _head);

    private int IndexAfterLocked(long afterSeq)
    {
        if (_entries.Count == 0)
            return 0;
        var index = afterSeq + 1 - _entries[0].Seq;
        return (int)Math.Clamp(index, 0, _entries.Count);
    }

    private void PruneLocked()
    {
        var retention = options.Value;
        var batch = Math.Max(1, Math.Min(4096, retention.RetentionCount / 8));
        var excess = _entries.Count - retention.RetentionCount;

        var cutoff = _lastTimestamp - retention.RetentionAge;
        var aged = 0;
        while (aged < _entries.Count && _entries[aged].Timestamp < cutoff && aged < batch)
            aged++;

        // Removing from the front of a list moves the rest, so pruning waits for a batch; retention is a floor.
        var remove = Math.Max(excess, aged);
        if (remove >= batch || (remove > 0 && remove == _entries.Count))
        {
            for (var i = 0; i < remove; i++)
            {
                var topic = _entries[i].Topic;
                if (_byTopic[topic].RemoveOldest())
                    _byTopic.Remove(topic);
            }

            _entries.RemoveRange(0, remove);

            // A key lives as long as its entry: a retry after that appends again, as in PostgreSQL.
            var firstRetained = BoundsLocked().FirstRetained;
            while (_keyOrder.TryPeek(out var oldest) && oldest.Seq < firstRetained)
                _keys.Remove(_keyOrder.Dequeue().Key);
        }
    }

    /// <summary>The ascending sequences of one topic; pruning removes from the front, compacting lazily.</summary>
    private sealed class TopicSeqs
    {
        private readonly List<long> _seqs = [];
        private int _start;

        public void Add(long seq) => _seqs.Add(seq);

        /// <summary>Drops the oldest sequence; true when none is left.</summary>
        public bool RemoveOldest()
        {
            _start++;
            if (_start == _seqs.Count)
                return true;
            if (_start > 1024 && _start > _seqs.Count / 2)
            {
                _seqs.RemoveRange(0, _start);
                _start = 0;
            }

            return false;
        }

        public long CountAfter(long afterSeq)
        {
            int low = _start, high = _seqs.Count;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (_seqs[mid] <= afterSeq)
                    low = mid + 1;
                else
                    high = mid;
            }

            return _seqs.Count - low;
        }
    }
}
