using Herald.Contracts;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// The newest stretch of the log that this process has read, kept while it is known to be complete: every
/// committed entry with a sequence in (after, through] is in it. Appends commit in sequence order (they are
/// serialized in the database), so a read that returned entries up to N proves nothing else exists below N.
/// After a push, the wake agent reads the new entries once and every woken grain, and the SSE hub, find them
/// here instead of asking the database again. A read is answered from here only when the answer is whole: as
/// many entries as it asked for, or everything up to the newest entry this process knows of.
/// </summary>
internal sealed class LogTailCache(int maxEntries, long maxChars)
{
    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = [];
    private long _after = -1;
    private long _through = -1;
    private long _chars;
    private long _prunedThrough;

    public bool Enabled => maxEntries > 0 && maxChars > 0;

    /// <summary>
    /// The answer the database would give to "up to <paramref name="maxCount"/> entries after
    /// <paramref name="afterSeq"/>", when the cache holds it: either all <paramref name="maxCount"/> of them, or
    /// every entry up to <paramref name="knownHead"/>, the newest sequence this process knows to be committed.
    /// Never an empty hit.
    /// </summary>
    public bool TryRead(long afterSeq, int maxCount, long knownHead, out IReadOnlyList<LogEntry> messages)
    {
        lock (_gate)
        {
            if (_through < 0 || afterSeq < _after || afterSeq >= _through)
            {
                messages = [];
                return false;
            }

            var first = FirstAbove(afterSeq);
            var available = _entries.Count - first;
            if (available < maxCount && (knownHead < 0 || _through < knownHead))
            {
                messages = [];
                return false;
            }

            messages = _entries.GetRange(first, Math.Min(maxCount, available)).ToArray();
            return true;
        }
    }

    /// <summary>Takes in what a read of the database returned for "the entries after <paramref name="afterSeq"/>".</summary>
    public void Record(long afterSeq, IReadOnlyList<LogEntry> read)
    {
        if (read.Count == 0 || !Enabled)
            return;
        lock (_gate)
        {
            // A read that raced a prune may hold entries that are gone now.
            if (read[^1].Seq <= _prunedThrough)
                return;
            afterSeq = Math.Max(afterSeq, _prunedThrough);

            if (_through < 0 || afterSeq > _through)
            {
                // Past the cached stretch (or nothing cached): this read becomes the tail.
                _entries.Clear();
                _chars = 0;
                _after = afterSeq;
                _through = afterSeq;
            }
            else if (afterSeq < _after)
            {
                // An older stretch (a replay): the tail stays as it is.
                return;
            }

            foreach (var message in read)
            {
                if (message.Seq > _through)
                    Add(message);
            }

            Trim();
        }
    }

    /// <summary>This process's own append: it extends the tail when it is the very next sequence.</summary>
    public void Appended(LogEntry message)
    {
        if (!Enabled)
            return;
        lock (_gate)
        {
            if (_through >= 0 && message.Seq == _through + 1)
            {
                Add(message);
                Trim();
            }
        }
    }

    /// <summary>Forgets the entries retention pruned, up to and including <paramref name="seq"/>.</summary>
    public void DropThrough(long seq)
    {
        lock (_gate)
        {
            _prunedThrough = Math.Max(_prunedThrough, seq);
            if (_through < 0 || seq < _after)
                return;
            if (seq >= _through)
            {
                ClearLocked();
                return;
            }

            var keep = FirstAbove(seq);
            for (var i = 0; i < keep; i++)
                _chars -= Size(_entries[i]);
            _entries.RemoveRange(0, keep);
            _after = seq;
        }
    }

    public void Clear()
    {
        lock (_gate)
            ClearLocked();
    }

    private void ClearLocked()
    {
        _entries.Clear();
        _chars = 0;
        _after = -1;
        _through = -1;
    }

    private void Add(LogEntry message)
    {
        _entries.Add(message);
        _through = message.Seq;
        _chars += Size(message);
    }

    // Dropping the oldest entry moves the start of the complete stretch up to it.
    private void Trim()
    {
        var drop = 0;
        while (drop < _entries.Count - 1 && (_entries.Count - drop > maxEntries || _chars > maxChars))
        {
            _chars -= Size(_entries[drop]);
            _after = _entries[drop].Seq;
            drop++;
        }

        if (drop > 0)
            _entries.RemoveRange(0, drop);
    }

    private int FirstAbove(long seq)
    {
        int low = 0, high = _entries.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_entries[middle].Seq <= seq)
                low = middle + 1;
            else
                high = middle;
        }

        return low;
    }

    private static long Size(LogEntry message) => message.Message.Length + (message.Payload?.Length ?? 0) + message.Topic.Length + 64;
}
