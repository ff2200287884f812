using System.Diagnostics;
using Herald.Contracts;

namespace Herald.Grains.Webhooks;

/// <summary>What the grain has ahead of it: the entries wakes carried, and the log read when they leave a gap.</summary>
public sealed partial class WebhookGrain
{
    /// <summary>A message read or handed over, not yet done with, and the trace it was pushed in when it came with a wake.</summary>
    private readonly record struct Ahead(LogEntry Entry, ActivityContext? Trace);

    /// <summary>
    /// Takes an entry a wake carried. The next one after what was read is taken as it is; one already read is
    /// dropped; one past a gap leaves the gap (and the entry) to be read from the log. So does any entry while the
    /// grain holds a read batch's worth ahead (a retry or a slow receiver holds it up) or the endpoint is disabled:
    /// what a grain holds in memory is bounded, and the log keeps the rest.
    /// </summary>
    private void Accept(LogEntry entry, ActivityContext? trace)
    {
        if (_endpoint is null || entry.Seq <= _scannedUpTo)
            return;
        if (entry.Seq != _scannedUpTo + 1 || !_endpoint.Enabled || _ahead.Count >= options.Value.ReadBatchSize)
        {
            _readLog = true;
            return;
        }

        _scannedUpTo = entry.Seq;
        if (_endpoint.Filter.Matches(entry.Topic))
            _ahead.Enqueue(new Ahead(entry, trace));
    }

    /// <summary>The next message for this endpoint, reading ahead from the log in batches when told to; null when caught up.</summary>
    private async Task<LogEntry?> PeekAsync()
    {
        if (_ahead.TryPeek(out var head))
            return head.Entry;
        if (!_readLog)
        {
            if (_state.Cursor != _scannedUpTo || !_state.CaughtUp)
                Save(_state with { Cursor = _scannedUpTo, CaughtUp = true });
            return null;
        }

        var endpoint = _endpoint!;
        var batchSize = options.Value.ReadBatchSize;
        while (true)
        {
            // Only an empty read says the log holds nothing more: a short one may come from this silo's cache of the
            // tail, which knows only what this silo has heard was committed.
            var batch = await log.ReadAsync(_scannedUpTo, batchSize);
            if (batch.Count == 0)
            {
                _readLog = false;
                if (_state.Cursor != _scannedUpTo || !_state.CaughtUp)
                    Save(_state with { Cursor = _scannedUpTo, CaughtUp = true });
                return null;
            }

            if (batch[0].Seq > _scannedUpTo + 1)
                await RecordRetentionGapAsync(_scannedUpTo + 1, batch[0].Seq - 1);
            if (batch.Count == batchSize)
                _state = _state with { CaughtUp = false };

            foreach (var message in batch)
            {
                _scannedUpTo = message.Seq;
                if (endpoint.Filter.Matches(message.Topic))
                    _ahead.Enqueue(new Ahead(message, null));
            }

            if (_ahead.TryPeek(out head))
                return head.Entry;
        }
    }

    /// <summary>
    /// Counts the pruned part of a hole in the sequence. The rest of a hole never held a message: an append that
    /// rolled back (or a database crash) leaves its number unused.
    /// </summary>
    private async Task RecordRetentionGapAsync(long from, long to)
    {
        if (_state.CaughtUp)
            return;
        to = Math.Min(to, (await log.GetBoundsAsync()).FirstRetained - 1);
        if (to < from)
            return;
        GrainLogMessages.SkippedByRetention(logger, Key, from, to);
        Save(_state with { SkippedByRetention = _state.SkippedByRetention + (to - from + 1) });
    }
}
