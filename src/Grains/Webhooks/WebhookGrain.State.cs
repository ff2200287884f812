using Herald.Contracts;
using Orleans.Storage;

namespace Herald.Grains.Webhooks;

public sealed partial class WebhookGrain
{
    /// <summary>
    /// Sets the state at once (the next step and every call see it) and writes it behind: one storage write per
    /// <see cref="Delivery.DeliveryOptions.StateWriteDelay"/> however many deliveries changed it meanwhile. The write is
    /// a tick of the pump, not a timer of its own: a fan-out would register one per endpoint.
    /// </summary>
    private void Save(DeliveryState state)
    {
        _state = state;
        if (_stale || _endpoint is null)
            return;
        MarkDirty();
        WriteLater(options.Value.StateWriteDelay);
    }

    private void WriteLater(TimeSpan delay)
    {
        if (_writeDue is not null)
            return;
        _writeDue = time.GetUtcNow() + delay;
        SetPump();
    }

    /// <summary>
    /// Writes the current state now, in the turn at hand; <paramref name="closing"/> marks it as the activation's last
    /// (see <see cref="DeliveryState.Open"/>). A write that finds a newer one in storage (its ETag is stale) means
    /// another activation of this grain wrote it: this one stops delivering and deactivates, and the next call gets a
    /// fresh one.
    /// </summary>
    private async Task WriteStateAsync(bool closing = false)
    {
        _writeDue = null;
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
            if (!closing)
                WriteLater(options.Value.FaultBackoff);
        }
        finally
        {
            counters.WriteFinished();
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
