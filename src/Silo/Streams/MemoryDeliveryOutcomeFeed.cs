using Herald.Streams;

namespace Herald.Silo.Streams;

/// <summary>
/// Embedded outcome feed: first-attempt reports go straight to the waiting push in this process. A grain that
/// was already running can deliver a new message before its push has created the watch, so the last reports
/// without a watch are kept (bounded) and seed a watch created just after them.
/// </summary>
internal sealed class MemoryDeliveryOutcomeFeed : IDeliveryOutcomeFeed
{
    private const int RecentSeqs = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, OutcomeWatch> _watches = [];
    private readonly Dictionary<long, List<(string EndpointId, bool Succeeded)>> _early = [];
    private readonly Queue<long> _earlyOrder = new();

    public IOutcomeWatch Watch(long seq, IReadOnlyCollection<string> endpointIds)
    {
        var watch = new OutcomeWatch(this, seq, endpointIds);
        List<(string, bool)>? early;
        lock (_gate)
        {
            _watches[seq] = watch;
            _early.Remove(seq, out early);
        }

        foreach (var (endpointId, succeeded) in early ?? [])
            watch.Report(endpointId, succeeded);
        return watch;
    }

    public void ReportFirstAttempt(long seq, string endpointId, bool succeeded)
    {
        OutcomeWatch? watch;
        lock (_gate)
        {
            if (!_watches.TryGetValue(seq, out watch))
            {
                if (!_early.TryGetValue(seq, out var list))
                {
                    _early[seq] = list = [];
                    _earlyOrder.Enqueue(seq);
                    while (_earlyOrder.Count > RecentSeqs)
                        _early.Remove(_earlyOrder.Dequeue());
                }

                list.Add((endpointId, succeeded));
                return;
            }
        }

        watch.Report(endpointId, succeeded);
    }

    private void Remove(long seq, OutcomeWatch watch)
    {
        lock (_gate)
        {
            if (_watches.TryGetValue(seq, out var current) && ReferenceEquals(current, watch))
                _watches.Remove(seq);
        }
    }

    private sealed class OutcomeWatch(MemoryDeliveryOutcomeFeed feed, long seq, IReadOnlyCollection<string> endpointIds) : IOutcomeWatch
    {
        private readonly HashSet<string> _waiting = new(endpointIds, StringComparer.Ordinal);
        private readonly TaskCompletionSource<int> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _succeeded;

        public void Report(string endpointId, bool succeeded)
        {
            lock (_waiting)
            {
                if (!_waiting.Remove(endpointId))
                    return;
                if (succeeded)
                    _succeeded++;
                if (_waiting.Count == 0)
                    _complete.TrySetResult(_succeeded);
            }
        }

        public async Task<int> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            lock (_waiting)
            {
                if (_waiting.Count == 0)
                    return _succeeded;
            }

            try
            {
                return await _complete.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                lock (_waiting)
                    return _succeeded;
            }
        }

        public void Dispose() => feed.Remove(seq, this);
    }
}
