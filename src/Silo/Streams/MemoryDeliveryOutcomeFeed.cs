using System.Collections.Concurrent;
using Herald.Streams;

namespace Herald.Silo.Streams;

/// <summary>Embedded outcome feed: first-attempt reports go straight to the waiting push in this process.</summary>
internal sealed class MemoryDeliveryOutcomeFeed : IDeliveryOutcomeFeed
{
    private readonly ConcurrentDictionary<long, OutcomeWatch> _watches = new();

    public IOutcomeWatch Watch(long seq, int expected)
    {
        var watch = new OutcomeWatch(this, seq, expected);
        if (expected > 0)
            _watches[seq] = watch;
        return watch;
    }

    public void ReportFirstAttempt(long seq, string endpointId, bool succeeded)
    {
        if (_watches.TryGetValue(seq, out var watch))
            watch.Report(succeeded);
    }

    private sealed class OutcomeWatch(MemoryDeliveryOutcomeFeed feed, long seq, int expected) : IOutcomeWatch
    {
        private readonly TaskCompletionSource<int> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reported;
        private int _succeeded;

        public void Report(bool succeeded)
        {
            if (succeeded)
                Interlocked.Increment(ref _succeeded);
            if (Interlocked.Increment(ref _reported) == expected)
                _complete.TrySetResult(Volatile.Read(ref _succeeded));
        }

        public async Task<int> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (expected == 0)
                return 0;
            try
            {
                return await _complete.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Volatile.Read(ref _succeeded);
            }
        }

        public void Dispose() => feed._watches.TryRemove(new KeyValuePair<long, OutcomeWatch>(seq, this));
    }
}
