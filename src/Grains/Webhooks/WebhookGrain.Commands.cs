using Herald.Contracts;
using Herald.Grains.Delivery;

namespace Herald.Grains.Webhooks;

/// <summary>What an operator asks of an endpoint: enable it again, replay from an id or a time, delete it. Each runs under the state gate.</summary>
public sealed partial class WebhookGrain
{
    public async Task<bool> EnableAsync()
    {
        await _stateGate.WaitAsync();
        try
        {
            return await EnableUnderGateAsync();
        }
        finally
        {
            _stateGate.Release();
            EndIfGone();
        }
    }

    public async Task<ReplayResult?> ReplayAsync(ReplayRequest request)
    {
        await _stateGate.WaitAsync();
        try
        {
            return await ReplayUnderGateAsync(request);
        }
        finally
        {
            _stateGate.Release();
            EndIfGone();
        }
    }

    public async Task<bool> DeleteAsync()
    {
        await _stateGate.WaitAsync();
        try
        {
            return await DeleteUnderGateAsync();
        }
        finally
        {
            _stateGate.Release();
        }
    }

    private async Task<bool> EnableUnderGateAsync()
    {
        var current = await registry.GetAsync(Key);
        if (current is null)
            return false;
        _generation++;
        if (!current.Enabled)
        {
            current = current with { Enabled = true, DisabledReason = null, DisabledAt = null };
            await registry.UpdateAsync(current);
        }

        _endpoint = current;
        _signingKey = WebhookSignature.TryDecodeSecret(current.Secret);
        Save(_state with { PendingAttempts = 0, NextAttemptAt = null, ConsecutiveFailures = 0, FailingSince = null, RebasedAt = time.GetUtcNow() });
        await FlushStateAsync();
        GrainLogMessages.EndpointEnabled(logger, Key, _state.Cursor);
        StartLoop();
        Signal();
        return true;
    }

    private async Task<ReplayResult?> ReplayUnderGateAsync(ReplayRequest request)
    {
        if (_endpoint is not { } endpoint)
            return null;
        var bounds = await log.GetBoundsAsync();
        var from = request.FromId ?? (request.Since is { } since ? await log.FindFirstAtOrAfterAsync(since) : null) ?? bounds.Head + 1;
        // Within what the log holds: a cursor past the head would silently skip every later message.
        from = Math.Clamp(from, bounds.FirstRetained, bounds.Head + 1);

        _generation++;
        _ahead.Clear();
        _scannedUpTo = from - 1;
        Save(_state with { Cursor = from - 1, PendingSeq = null, PendingAttempts = 0, NextAttemptAt = null, CaughtUp = false, RebasedAt = time.GetUtcNow() });
        await FlushStateAsync();
        GrainLogMessages.Replaying(logger, Key, from);
        var pending = await log.CountAsync(from - 1, endpoint.Filter);
        Signal();
        return new ReplayResult(Key, from, pending);
    }

    private async Task<bool> DeleteUnderGateAsync()
    {
        _generation++;
        _endpoint = null;
        _ahead.Clear();
        var removed = await registry.RemoveAsync(Key);
        await _writeGate.WaitAsync();
        try
        {
            SetClean();
            await persisted.ClearStateAsync();
        }
        finally
        {
            _writeGate.Release();
        }

        await attemptLog.RemoveEndpointAsync(Key);
        await ClearReminderAsync();
        ReportUnmade();
        Signal();
        DeactivateOnIdle();
        return removed;
    }

    /// <summary>An activation for an endpoint that does not exist answers the call at hand, then goes.</summary>
    private void EndIfGone()
    {
        if (_endpoint is null)
            DeactivateOnIdle();
    }
}
