using System.Diagnostics;
using Herald.Contracts;

namespace Herald.Grains.Webhooks;

/// <summary>The delivery loop: one step at a time, each waiting for a wake, a due retry or the backoff after a fault.</summary>
public sealed partial class WebhookGrain
{
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal() => Volatile.Read(ref _signal).TrySetResult();

    private void StartLoop()
    {
        if (_loop.IsCompleted && !_stopping.IsCancellationRequested)
            _loop = RunLoopAsync(_stopping.Token);
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        // The loop outlives the call that started it; each attempt joins its own message's trace (MessageTraces).
        Activity.Current = null;
        while (!cancellationToken.IsCancellationRequested && !_stale)
        {
            try
            {
                await StepAsync(cancellationToken);
                _faultSaidAt = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                SayFault(exception);

                // The full backoff, whatever wakes come meanwhile (they are kept): while storage is away, retrying at
                // every push would cost a connection attempt per push per endpoint.
                await Task.Delay(options.Value.FaultBackoff, time, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
            }
        }
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

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        // A wake that lands while this step awaits completes the fresh signal, so the next wait returns at once.
        Volatile.Write(ref _unconsumedWake, 0);
        Volatile.Write(ref _signal, NewSignal());
        if (cancellationToken.IsCancellationRequested)
            return;
        LogEntry? next;
        await _stateGate.WaitAsync(cancellationToken);
        try
        {
            next = _endpoint is { Enabled: true } ? await PeekAsync(cancellationToken) : null;
        }
        finally
        {
            _stateGate.Release();
        }

        _backlog?.OldestUndelivered = next?.Timestamp;
        if (next is null)
        {
            // Caught up (or disabled): nothing can be pending any more.
            if (_endpoint is not { Enabled: true })
                ReportUnmade();
            await ClearReminderAsync();
            await WaitForSignalAsync(null, cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        if (_state.PendingSeq == next.Seq && _state.NextAttemptAt is { } due && due > now)
        {
            await EnsureReminderAsync(due, now);
            await WaitForSignalAsync(due - now, cancellationToken);
            return;
        }

        await AttemptAsync(next);
    }

    /// <summary>
    /// Waits for a wake, or at most <paramref name="delay"/>: on a grain timer, which keeps the activation alive for a
    /// short wait; a longer one relies on the retry reminder to bring the grain back.
    /// </summary>
    private async Task WaitForSignalAsync(TimeSpan? delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return;
        var signal = Volatile.Read(ref _signal);
        if (delay is { } due)
        {
            var keepAlive = due < options.Value.ReminderPeriod;
            _wakeTimer?.Dispose();
            _wakeTimer = this.RegisterGrainTimer(static grain => { grain.Signal(); return Task.CompletedTask; }, this,
                new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = keepAlive });
        }

        await signal.Task;
        _wakeTimer?.Dispose();
        _wakeTimer = null;
    }
}
