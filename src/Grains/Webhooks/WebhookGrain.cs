using System.Diagnostics;
using Herald.Contracts;
using Orleans.Placement;
using Herald.Grains.Delivery;
using Herald.Grains.Telemetry;
using Herald.Storage;
using Herald.MessageLog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Grains.Webhooks;

/// <summary>
/// One per endpoint. A delivery loop runs on the activation's scheduler: it reads the log from the grain's own
/// cursor, delivers matching messages strictly in log order, and retries on the schedule. It is not a grain call,
/// so calls may interleave with it at its awaits: every change of state (the loop's peek and its recording of an
/// outcome; enable, replay and delete) runs under one async gate. Only the HTTP attempt runs outside it, and a
/// generation counter tells the loop when a call changed the ground under that attempt.
/// <para>
/// State is written behind (<see cref="DeliveryOptions.StateWriteDelay"/>), so a burst of deliveries costs one
/// storage write, not one each; a crash before it means a redelivery with the same webhook-id. Short waits run on
/// a grain timer; a pending retry also registers a reminder for when it is due, so it survives the grain's collection
/// and its silo. Grains are spread
/// over the silos that host webhooks by a hash of the endpoint id.
/// </para>
/// </summary>
[GrainType(GrainTypeName)]
[HashBasedPlacement]
public sealed partial class WebhookGrain(
    [PersistentState(DeliveryState.StateName, DeliveryState.StorageName)] IPersistentState<DeliveryState> persisted,
    IEndpointRegistry registry,
    IAttemptLog attemptLog,
    IMessageLog log,
    WebhookSender sender,
    RetryPolicy retryPolicy,
    WebhookGrainCounters counters,
    DeliveryMetrics metrics,
    MessageTraces traces,
    LocalWakeBoard board,
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IRemindable, ILocalWakeTarget
{
    public const string GrainTypeName = "webhook";
    private const string RetryReminder = "retry";
    private const int RecentOutcomes = 64;

    private readonly Queue<LogEntry> _ahead = new();
    private readonly SemaphoreSlim _stateGate = new(1, 1);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();

    // An attempt in flight when the activation is told to go is let finish, for a few seconds at most: its answer is
    // then recorded, and the next activation does not send it again.
    private static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FaultRepeat = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _abandonInFlight = new();
    private readonly Dictionary<long, List<IFirstAttemptObserver>> _watching = [];
    private readonly Dictionary<long, bool> _recent = [];
    private readonly Lock _wakeGate = new();
    private readonly Queue<long> _recentOrder = new();
    private string? _key;
    private EndpointDefinition? _endpoint;
    private DeliveryState _state = new();
    private byte[]? _signingKey;
    private long _scannedUpTo;
    private TaskCompletionSource _signal = NewSignal();
    private Task _loop = Task.CompletedTask;
    private Task _pendingWrites = Task.CompletedTask;
    private IGrainTimer? _wakeTimer;
    private EndpointBacklogMark? _backlog;
    private bool _flushScheduled;
    private int _generation;
    private bool _inFlight;
    private long _inFlightSeq;
    private bool _dirty;
    private bool _reminderRegistered;
    private DateTimeOffset? _reminderDue;
    private bool _stale;
    private DateTimeOffset? _faultSaidAt;
    private bool _closing;
    private int _unconsumedWake;

    // GetPrimaryKeyString builds a new string from the grain id each time, and a delivery reads the key several times.
    private string Key => _key ??= this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _endpoint = await registry.GetAsync(Key, cancellationToken);
        counters.Activated();
        if (_endpoint is null)
        {
            // Deleted (or never created): nothing to deliver. A reminder left by a crash ends here too. The call that
            // activated the grain is still to be answered, so the activation goes once that is done (EndIfGone): going
            // now would send the call on to a fresh activation that goes the same way, until Orleans rejects it.
            _reminderRegistered = true;
            await ClearReminderAsync();
            return;
        }

        _signingKey = WebhookSignature.TryDecodeSecret(_endpoint.Secret);
        if (persisted.RecordExists && persisted.State.Open)
            await WaitForPreviousActivationAsync(cancellationToken);
        _state = persisted.RecordExists ? persisted.State : DeliveryState.Initial(_endpoint);
        if (persisted.RecordExists && _state.Open)
            await RecoverProgressAsync(cancellationToken);
        _scannedUpTo = _state.Cursor;
        _backlog = counters.Track();
        // A retry in progress is the only time a reminder is registered; reading the reminder table on every
        // activation would cost a round trip per woken grain.
        _reminderRegistered = _state.PendingSeq is not null;
        _stopping.Token.UnsafeRegister(static grain => Volatile.Read(ref ((WebhookGrain)grain!)._signal).TrySetResult(), this);
        StartLoop();
        board.Join(Key, this);
    }

    bool ILocalWakeTarget.TryWakeLocally()
    {
        lock (_wakeGate)
        {
            if (_closing)
                return false;
            Volatile.Write(ref _unconsumedWake, 1);
            Signal();
            return true;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // From here on wakes go as grain calls, which Orleans holds for the next activation.
        lock (_wakeGate)
            _closing = true;
        board.Leave(Key, this);
        await _stopping.CancelAsync();
        _abandonInFlight.CancelAfter(InFlightGrace);
        using var abandon = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _abandonInFlight);
        await _loop.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
        ReportUnmade();

        // The last write says this activation ended cleanly, so the next one need not look at the attempt log.
        if (!_stale && _endpoint is not null && (_dirty || persisted.State?.Open == true))
        {
            MarkDirty();
            await FlushStateAsync(closing: true).WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
        }

        await _pendingWrites.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
        SetClean();
        counters.Deactivated();
        if (_backlog is not null)
            counters.Untrack(_backlog);

        // Work this activation knew of and did not finish (a wake it had not acted on, or a message read but not yet
        // attempted) is passed on to the next activation, not left for the next push. A retry waiting for its time
        // is not: its reminder brings the grain back when it is due.
        var unfinished = _endpoint is { Enabled: true } && _ahead.Count > 0 && _state.PendingSeq is null;
        if (_endpoint is not null && (Volatile.Read(ref _unconsumedWake) == 1 || unfinished))
            _ = this.AsReference<IWebhookGrain>().WakeAsync(0);
    }

    public Task WakeAsync(long seq, IFirstAttemptObserver? outcomes = null)
    {
        if (outcomes is not null)
            Watch(seq, outcomes);
        traces.RememberCurrent(seq);
        Volatile.Write(ref _unconsumedWake, 1);
        Signal();
        EndIfGone();
        return Task.CompletedTask;
    }

    public Task ResumeAsync() => WakeAsync(0);

    public Task<DeliveryState?> GetStateAsync()
    {
        EndIfGone();
        return Task.FromResult(_endpoint is null ? null : _state);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being activated was the point: the loop finds the pending retry, or the backlog, by itself.
        Signal();
        EndIfGone();
        return Task.CompletedTask;
    }

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

    /// <summary>
    /// Makes sure a reminder brings the grain back when the retry is due, should it be collected or its silo die
    /// meanwhile; it then ticks every <see cref="DeliveryOptions.ReminderPeriod"/> until the endpoint has caught up.
    /// Registered once per scheduled retry (a storage write), so a grain can be collected while it waits.
    /// </summary>
    private async Task EnsureReminderAsync(DateTimeOffset due, DateTimeOffset now)
    {
        if (_reminderRegistered && _reminderDue == due)
            return;
        try
        {
            await this.RegisterOrUpdateReminder(RetryReminder, due - now, options.Value.ReminderPeriod);
            _reminderRegistered = true;
            _reminderDue = due;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The grain retries while it is active anyway; the next step tries to register again.
            GrainLogMessages.ReminderFailed(logger, exception, Key);
        }
    }

    private async Task ClearReminderAsync()
    {
        if (!_reminderRegistered)
            return;
        try
        {
            if (await this.GetReminder(RetryReminder) is { } reminder)
                await this.UnregisterReminder(reminder);
            _reminderRegistered = false;
            _reminderDue = null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A reminder left behind only wakes a caught-up grain, which finds nothing to do and clears it again.
            GrainLogMessages.ReminderFailed(logger, exception, Key);
        }
    }
}
