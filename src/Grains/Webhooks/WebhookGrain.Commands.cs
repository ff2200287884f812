using Herald.Contracts;
using Herald.Grains.Delivery;

namespace Herald.Grains.Webhooks;

/// <summary>
/// What an operator asks of an endpoint: enable it again, replay from an id or a time, delete it. Each is a turn, so
/// no step runs meanwhile; an attempt already on the wire is marked overtaken, and its answer is logged, not applied.
/// </summary>
public sealed partial class WebhookGrain
{
    public async Task<bool> EnableAsync()
    {
        var current = await registry.GetAsync(Key);
        if (current is null)
        {
            EndIfGone();
            return false;
        }

        Overtake();
        if (!current.Enabled)
        {
            current = current with { Enabled = true, DisabledReason = null, DisabledAt = null };
            await registry.UpdateAsync(current);
        }

        _endpoint = current;
        _signingKey = WebhookSignature.TryDecodeSecret(current.Secret);
        _faultUntil = null;
        Save(_state with { PendingAttempts = 0, NextAttemptAt = null, ConsecutiveFailures = 0, FailingSince = null, RebasedAt = time.GetUtcNow() });
        await WriteStateAsync();
        GrainLogMessages.EndpointEnabled(logger, Key, _state.Cursor);
        _readLog = true;
        await StepAsync();
        SetPump();
        return true;
    }

    public async Task<ReplayResult?> ReplayAsync(ReplayRequest request)
    {
        if (_endpoint is not { } endpoint)
        {
            EndIfGone();
            return null;
        }

        var bounds = await log.GetBoundsAsync();
        var from = request.FromId ?? (request.Since is { } since ? await log.FindFirstAtOrAfterAsync(since) : null) ?? bounds.Head + 1;
        // Within what the log holds: a cursor past the head would silently skip every later message.
        from = Math.Clamp(from, bounds.FirstRetained, bounds.Head + 1);

        Overtake();
        _ahead.Clear();
        _scannedUpTo = from - 1;
        _readLog = true;
        Save(_state with { Cursor = from - 1, PendingSeq = null, PendingAttempts = 0, NextAttemptAt = null, CaughtUp = false, RebasedAt = time.GetUtcNow() });
        await WriteStateAsync();
        GrainLogMessages.Replaying(logger, Key, from);
        var pending = await log.CountAsync(from - 1, endpoint.Filter);
        await StepAsync();
        SetPump();
        return new ReplayResult(Key, from, pending);
    }

    public async Task<bool> DeleteAsync()
    {
        Overtake();
        _endpoint = null;
        _ahead.Clear();
        var removed = await registry.RemoveAsync(Key);
        SetClean();
        _writeDue = null;
        await persisted.ClearStateAsync();
        await attemptLog.RemoveEndpointAsync(Key);
        await ClearReminderAsync();
        ReportUnmade();
        DeactivateOnIdle();
        return removed;
    }

    /// <summary>The attempt on the wire, if any, no longer decides the state: the command at hand does.</summary>
    private void Overtake() => _inFlight?.Overtaken = true;

    /// <summary>An activation for an endpoint that does not exist answers the call at hand, then goes.</summary>
    private void EndIfGone()
    {
        if (_endpoint is null)
            DeactivateOnIdle();
    }
}
