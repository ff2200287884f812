using Herald.Contracts;

namespace Herald.Grains.Webhooks;

public sealed partial class WebhookGrain
{
    /// <summary>
    /// A push waits to hear how this endpoint's first attempt at <paramref name="seq"/> goes. Delivery is in log order,
    /// so a grain still busy with an earlier message (an attempt in flight, or a retry it is waiting out) makes no first
    /// attempt at this one yet: it says so at once, and one hung receiver cannot hold every push for the full timeout.
    /// </summary>
    private void Watch(long seq, IFirstAttemptObserver observer)
    {
        var busyWithEarlier = _inFlight?.Message.Entry.Seq < seq
            || (_state.PendingSeq is { } pending && pending < seq && _state.NextAttemptAt > time.GetUtcNow());
        if (busyWithEarlier || _endpoint is not { Enabled: true } || _stale)
        {
            _ = observer.FirstAttemptAsync(seq, Key, false);
            return;
        }

        // The first attempt may have been made already: the grain was awake and read the message before this wake came.
        if (_recent.TryGetValue(seq, out var succeeded))
        {
            _ = observer.FirstAttemptAsync(seq, Key, succeeded);
            return;
        }

        if (!_watching.TryGetValue(seq, out var observers))
            _watching[seq] = observers = [];
        observers.Add(observer);
    }

    /// <summary>Records a first attempt's outcome and tells the pushes waiting for it.</summary>
    private void Reported(long seq, bool succeeded)
    {
        _recent[seq] = succeeded;
        _recentOrder.Enqueue(seq);
        while (_recentOrder.Count > RecentOutcomes)
            _recent.Remove(_recentOrder.Dequeue());
        if (_watching.Remove(seq, out var observers))
        {
            foreach (var observer in observers)
                _ = observer.FirstAttemptAsync(seq, Key, succeeded);
        }
    }

    /// <summary>The grain stops (deactivation, delete, disable): pushes still waiting hear that no attempt is coming.</summary>
    private void ReportUnmade()
    {
        foreach (var (seq, observers) in _watching)
        {
            foreach (var observer in observers)
                _ = observer.FirstAttemptAsync(seq, Key, false);
        }

        _watching.Clear();
    }
}
