using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Runtime;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Grains.Webhooks;

/// <summary>
/// One per endpoint. A delivery loop runs on the grain's scheduler: it reads the log from the grain's own cursor,
/// delivers matching messages strictly in log order, and retries on the schedule. Everything runs on one
/// scheduler, but calls may interleave with the loop at its awaits, so every change of state (the loop's peek
/// and its recording of an outcome; enable, replay and delete) runs under one async gate. Only the HTTP attempt
/// runs outside it, and a generation counter tells the loop when a call changed the ground under that attempt.
/// </summary>
public sealed partial class WebhookGrain(
    IEndpointRegistry registry,
    IGrainStorage storage,
    IAttemptLog attemptLog,
    IStreamLog log,
    IDeliveryOutcomeFeed outcomes,
    WebhookSender sender,
    RetryPolicy retryPolicy,
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain
{
    private readonly Queue<StreamMessage> _ahead = new();
    private readonly SemaphoreSlim _stateGate = new(1, 1);
    private EndpointDefinition? _endpoint;
    private DeliveryState _state = new();
    private byte[]? _signingKey;
    private long _scannedUpTo;
    private TaskCompletionSource _signal = NewSignal();
    private Task _loop = Task.CompletedTask;
    private Task _pendingWrites = Task.CompletedTask;
    private int _generation;
    private bool _inFlight;
    private long _inFlightSeq;
    private bool _idle;

    /// <summary>Idle means caught up with nothing to retry: a later message wakes it again.</summary>
    public override bool CanDeactivate => !_inFlight && (_idle || _endpoint is not { Enabled: true });

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _endpoint = await registry.GetAsync(GrainKey, cancellationToken);
        if (_endpoint is null)
            return;
        _signingKey = WebhookSignature.TryDecodeSecret(_endpoint.Secret);
        _state = await storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, GrainKey, cancellationToken)
            ?? DeliveryState.Initial(_endpoint);
        _scannedUpTo = _state.Cursor;

        // Deactivation ends a wait by completing whichever signal is current, so an idle wait needs no
        // cancellable wrapper of its own (one per delivery, on the hot path).
        Context.Deactivating.UnsafeRegister(static grain => Volatile.Read(ref ((WebhookGrain)grain!)._signal).TrySetResult(), this);
        StartLoop();
    }

    public override async Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        // State is written at every change; the loop sees Deactivating and ends, then the last writes are waited for.
        await _loop.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
        await _pendingWrites.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
    }

    public Task WakeAsync(long seq)
    {
        _idle = false;
        // Delivery is in log order, so a grain still busy with an earlier message (an attempt in flight, or a retry
        // it is waiting out) makes no first attempt at this one yet. It says so at once: a push waits only for the
        // endpoints that can answer now, and one hung receiver cannot hold every push for the full timeout.
        var busyWithEarlier = (_inFlight && _inFlightSeq < seq)
            || (_state.PendingSeq is { } pending && pending < seq && _state.NextAttemptAt > time.GetUtcNow());
        if (busyWithEarlier)
            outcomes.ReportFirstAttempt(seq, GrainKey, succeeded: false);
        _signal.TrySetResult();
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
        var current = await registry.GetAsync(GrainKey);
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
        await SaveAsync(_state with { PendingAttempts = 0, NextAttemptAt = null, ConsecutiveFailures = 0, FailingSince = null });
        Log.EndpointEnabled(logger, GrainKey, _state.Cursor);
        StartLoop();
        _signal.TrySetResult();
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
        await SaveAsync(_state with { Cursor = from - 1, PendingSeq = null, PendingAttempts = 0, NextAttemptAt = null, CaughtUp = false });
        Log.Replaying(logger, GrainKey, from);
        var pending = await log.CountAsync(from - 1, endpoint.Filter);
        _signal.TrySetResult();
        return new ReplayResult(GrainKey, from, pending);
    }

    private async Task<bool> DeleteUnderGateAsync()
    {
        _generation++;
        _endpoint = null;
        _ahead.Clear();
        var removed = await registry.RemoveAsync(GrainKey);
        await storage.ClearStateAsync(DeliveryState.GrainType, GrainKey);
        await attemptLog.RemoveEndpointAsync(GrainKey);
        _signal.TrySetResult();
        Context.DeactivateOnIdle();
        return removed;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void StartLoop()
    {
        if (_loop.IsCompleted)
            _loop = RunLoopAsync(Context.Deactivating);
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Log.PumpFault(logger, exception, GrainKey);
                await WaitForSignalAsync(options.Value.FaultBackoff, cancellationToken);
            }
        }
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        // A wake that lands while this step awaits completes the fresh signal, so the next wait returns at once.
        // The gate below is a full fence: a deactivation that begins after it sees this signal.
        Volatile.Write(ref _signal, NewSignal());
        StreamMessage? next;
        await _stateGate.WaitAsync(cancellationToken);
        try
        {
            next = _endpoint is { Enabled: true } ? await PeekAsync(cancellationToken) : null;

            // Idle only once a look at the log found nothing: the collector may deactivate an idle grain.
            _idle = next is null;
        }
        finally
        {
            _stateGate.Release();
        }

        if (next is null)
        {
            await WaitForSignalAsync(null, cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        if (_state.PendingSeq == next.Seq && _state.NextAttemptAt is { } due && due > now)
        {
            await WaitForSignalAsync(due - now, cancellationToken);
            return;
        }

        await AttemptAsync(next, cancellationToken);
    }

    private async Task WaitForSignalAsync(TimeSpan? delay, CancellationToken cancellationToken)
    {
        try
        {
            if (delay is { } timeout)
                await _signal.Task.WaitAsync(timeout, time, cancellationToken);
            else if (!cancellationToken.IsCancellationRequested)
                await _signal.Task;
        }
        catch (TimeoutException)
        {
        }
    }
}
