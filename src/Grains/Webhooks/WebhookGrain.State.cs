using Herald.Contracts;
using Orleans.Storage;

namespace Herald.Grains.Webhooks;

public sealed partial class WebhookGrain
{
    /// <summary>
    /// Sets the state at once (calls that interleave must see it) and writes it behind: one storage write per
    /// <see cref="Delivery.DeliveryOptions.StateWriteDelay"/> however many deliveries changed it meanwhile.
    /// </summary>
    private void Save(DeliveryState state)
    {
        _state = state;
        if (_stale || _endpoint is null)
            return;
        MarkDirty();
        FlushLater(options.Value.StateWriteDelay);
    }

    /// <summary>
    /// Schedules a write, unless one is scheduled already. A delay awaited on the activation's scheduler, not a grain
    /// timer: a fan-out schedules one per endpoint, and a timer's registration and its tick (a message through the
    /// activation's inbox) allocated about a kilobyte each time. It needs no keep-alive either: deactivation writes
    /// what is dirty itself, and cancels the delay.
    /// </summary>
    private void FlushLater(TimeSpan delay)
    {
        if (_flushScheduled)
            return;
        _flushScheduled = true;
        _ = FlushAfterAsync(delay);
    }

    private async Task FlushAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Deactivating: OnDeactivateAsync writes the state.
            return;
        }

        await FlushStateAsync();
    }

    /// <summary>
    /// Writes the current state now; <paramref name="closing"/> marks it as the activation's last (see
    /// <see cref="DeliveryState.Open"/>). A write that finds a newer one in storage (its ETag is stale) means another
    /// activation of this grain wrote it: this one stops delivering and deactivates, and the next call gets a fresh one.
    /// </summary>
    private async Task FlushStateAsync(bool closing = false)
    {
        _flushScheduled = false;
        await _writeGate.WaitAsync();
        try
        {
            if (!_dirty || _stale || _endpoint is null)
                return;
            persisted.State = _state with { Open = !closing };
            SetClean();

            // Clean, but not committed until storage answers: the backlog counts it until then.
            counters.WriteStarted();
            try
            {
                await persisted.WriteStateAsync();
            }
            catch (InconsistentStateException exception)
            {
                _stale = true;
                GrainLogMessages.StaleActivation(logger, exception, Key);
                Signal();
                DeactivateOnIdle();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Storage is away: the state stays dirty and is written again after the fault backoff.
                if (ExpectedFaults.Includes(exception))
                    GrainLogMessages.StateWriteWaits(logger, Key, ExpectedFaults.Reason(exception));
                else
                    GrainLogMessages.StateWriteFailed(logger, exception, Key);
                MarkDirty();
                FlushLater(options.Value.FaultBackoff);
            }
            finally
            {
                counters.WriteFinished();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void MarkDirty()
    {
        if (_dirty)
            return;
        _dirty = true;
        counters.Dirty();
    }

    private void SetClean()
    {
        if (!_dirty)
            return;
        _dirty = false;
        counters.Clean();
    }
}
