using Herald.Contracts;

namespace Herald.Grains.Webhooks;

/// <summary>
/// The pump: a turn that records an attempt that has come back, takes the next step, and writes the state when its
/// write is due. An answer brings it at once, as a one-way call of the grain to itself; a grain timer brings it when
/// something falls due (a retry, the write, the end of a fault's backoff), and is set after each pump for the next.
/// </summary>
public sealed partial class WebhookGrain
{
    Task IWebhookPump.PumpAsync() => PumpAsync();

    /// <summary>The timer's tick: it has fired, and is set again by the pump for whatever falls due next.</summary>
    private Task OnTimerAsync()
    {
        _pumpAt = null;
        return PumpAsync();
    }

    private async Task PumpAsync()
    {
        try
        {
            if (_inFlight is { Result.IsCompleted: true })
                await CompleteAttemptAsync();
            await StepAsync();
            await FollowAttemptAsync();
            if (_writeDue is { } due && due <= time.GetUtcNow())
                await WriteStateAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            BackOff(exception);
        }
        finally
        {
            // A tick resets what the timer was told while it was on its way, so each pump sets the next itself.
            SetPump();
        }
    }

    /// <summary>
    /// Asks for a pump as soon as the activation is free (a turn in progress finishes first): a message, not a timer
    /// due now, which would go through the runtime's timer thread and the thread pool before it became one.
    /// </summary>
    private void PumpNow()
    {
        if (!_closing)
            _ = (_self ??= this.AsReference<IWebhookPump>()).PumpAsync();
    }

    /// <summary>
    /// Sets the pump's timer for the earliest thing due, or stops it. Left alone when that has not changed: a pump per
    /// delivery would otherwise reset it each time, and every reset takes the runtime's timer lock.
    /// </summary>
    private void SetPump()
    {
        if (_pump is null || _closing)
            return;
        var at = Earliest(_writeDue, NextStepDue());
        if (at == _pumpAt)
            return;
        _pumpAt = at;
        var wait = at - time.GetUtcNow();
        _pump.Change(wait is null ? Timeout.InfiniteTimeSpan : wait > TimeSpan.Zero ? wait.Value : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>When the next step has something to do that no call will bring: the end of a backoff or a retry's time.</summary>
    private DateTimeOffset? NextStepDue()
    {
        if (_inFlight is not null || _stale || _endpoint is not { Enabled: true })
            return null;
        if (_faultUntil is { } backoff)
            return backoff;
        return _state.PendingSeq is not null ? _state.NextAttemptAt : null;
    }

    /// <summary>
    /// One step: the next message for this endpoint is attempted, unless an attempt is in flight, its retry is not yet
    /// due, or the endpoint is caught up, disabled or gone. Runs in a turn; never waits for an HTTP attempt.
    /// </summary>
    private async Task StepAsync()
    {
        if (_closing || _stale || _inFlight is not null || _endpoint is null)
            return;
        var now = time.GetUtcNow();
        if (_faultUntil > now)
            return;
        _faultUntil = null;

        LogEntry? next;
        try
        {
            next = _endpoint.Enabled ? await PeekAsync() : null;
            _faultSaidAt = null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            BackOff(exception);
            return;
        }

        _backlog?.OldestUndelivered = next?.Timestamp;
        if (next is null)
        {
            // Caught up (or disabled): nothing can be pending any more.
            if (_endpoint is not { Enabled: true })
                ReportUnmade();
            await ClearReminderAsync();
            return;
        }

        if (_state.PendingSeq == next.Seq && _state.NextAttemptAt is { } due && due > now)
        {
            await EnsureReminderAsync(due, now);
            SetPump();
            return;
        }

        StartAttempt(next);
    }

    /// <summary>
    /// Waits in the turn at hand for the attempt on the wire, and records its answer and starts the next in the same
    /// turn, for <see cref="TurnBudget"/> at most: a receiver that answers quickly costs no pump of its own. Each
    /// attempt is waited for once, so calls queued behind a hung receiver each pass at once, and none waits behind it
    /// for longer than the budget (its answer brings a pump when it comes).
    /// </summary>
    private async Task FollowAttemptAsync()
    {
        var started = time.GetTimestamp();
        while (_inFlight is { } attempt && !_closing)
        {
            if (!attempt.Result.IsCompleted)
            {
                var left = TurnBudget - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero || attempt.WasFollowed)
                    return;
                attempt.WasFollowed = true;
                attempt.Followed = true;
                await ((Task)attempt.Result.WaitAsync(left, time)).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
                attempt.Followed = false;
                if (!attempt.Result.IsCompleted)
                    return;
            }

            await CompleteAttemptAsync();
            await StepAsync();
        }
    }

    /// <summary>
    /// No step for <see cref="Delivery.DeliveryOptions.FaultBackoff"/>, whatever wakes come meanwhile (they are kept):
    /// while storage is away, retrying at every push would cost a connection attempt per push per endpoint.
    /// </summary>
    private void BackOff(Exception exception)
    {
        SayFault(exception);
        _faultUntil = time.GetUtcNow() + options.Value.FaultBackoff;
        SetPump();
    }

    /// <summary>A fault lasts as long as its cause: said when it starts, then every <see cref="FaultRepeat"/> while it lasts, not at every retry.</summary>
    private void SayFault(Exception exception)
    {
        var now = time.GetUtcNow();
        if (_faultSaidAt is { } said && now - said < FaultRepeat)
            return;
        _faultSaidAt = now;
        if (ExpectedFaults.Includes(exception))
            GrainLogMessages.PumpWaits(logger, Key, ExpectedFaults.Reason(exception));
        else
            GrainLogMessages.PumpFault(logger, exception, Key);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
