using System.Threading.Channels;
using Herald.Runtime;
using Microsoft.Extensions.Logging;

namespace Herald.Silo.Runtime;

/// <summary>
/// One activation of one grain. Calls arrive through a mailbox; all grain code (calls, continuations and the
/// grain's own background loops) runs on this activation's exclusive scheduler, one piece at a time. A
/// non-reentrant grain finishes a call before the next starts; a reentrant one interleaves them at awaits.
/// </summary>
internal sealed class GrainActivation : IGrainContext
{
    // Not SingleReader: that channel cannot count its items, and IsIdleFor needs the count.
    private readonly Channel<WorkItem> _mailbox = Channel.CreateUnbounded<WorkItem>();
    private readonly ActivationScheduler _scheduler = new();
    private readonly CancellationTokenSource _deactivating = new();
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly GrainCatalog _catalog;
    private readonly Func<Grain> _createGrain;
    private readonly bool _reentrant;
    private readonly GrainRuntimeOptions _options;
    private readonly ILogger _logger;
    private Grain? _grain;
    private int _running;
    private TaskCompletionSource? _drained;
    private int _deactivationRequested;
    private long _lastActivityTicks = Environment.TickCount64;

    public GrainActivation(GrainId id, GrainCatalog catalog, Func<Grain> createGrain, bool reentrant, GrainRuntimeOptions options, ILogger logger)
    {
        Id = id;
        _catalog = catalog;
        _createGrain = createGrain;
        _reentrant = reentrant;
        _options = options;
        _logger = logger;
    }

    public GrainId Id { get; }

    public string Key => Id.Key;

    public IGrainFactory GrainFactory => _catalog.GrainFactory;

    public CancellationToken Deactivating => _deactivating.Token;

    /// <summary>Completes when this activation has fully deactivated; a successor activation waits for it.</summary>
    public Task Deactivated => _deactivated.Task;

    public bool IsIdleFor(TimeSpan idle) =>
        Volatile.Read(ref _running) == 0 && _mailbox.Reader.Count == 0 &&
        Environment.TickCount64 - Volatile.Read(ref _lastActivityTicks) >= (long)idle.TotalMilliseconds;

    public void Start(Task previousDeactivation) => _ = RunAsync(previousDeactivation);

    /// <summary>Queues a call. False when this activation is deactivating: the caller finds the successor and retries.</summary>
    public bool TryEnqueue(WorkItem item) => _mailbox.Writer.TryWrite(item);

    public void DeactivateOnIdle() => RequestDeactivation(force: true);

    /// <summary>
    /// Asks the mailbox loop to deactivate this activation when it next finds nothing to do. Unforced requests
    /// (from the idle collector) also need the grain's consent through <see cref="Grain.CanDeactivate"/>.
    /// </summary>
    public void RequestDeactivation(bool force)
    {
        if (force)
            Volatile.Write(ref _deactivationRequested, 2);
        else
            Interlocked.CompareExchange(ref _deactivationRequested, 1, 0);
        _mailbox.Writer.TryWrite(DeactivationMarker);
    }

    private static readonly WorkItem DeactivationMarker = new(_ => Task.CompletedTask, _ => { });

    private Task OnScheduler(Func<Task> action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();

    private Task<T> OnScheduler<T>(Func<T> func) =>
        Task.Factory.StartNew(func, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler);

    private async Task RunAsync(Task previousDeactivation)
    {
        await previousDeactivation.ConfigureAwait(false);
        if (!await ActivateAsync().ConfigureAwait(false))
            return;

        var reader = _mailbox.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (ReferenceEquals(item, DeactivationMarker))
                {
                    if (await TryDeactivateAsync().ConfigureAwait(false))
                        return;
                    continue;
                }

                Touch();
                Interlocked.Increment(ref _running);
                var turn = OnScheduler(() => item.Run(_grain!));
                if (_reentrant)
                {
                    _ = turn.ContinueWith(static (done, state) => ((GrainActivation)state!).EndTurn(done), this,
                        CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                else
                {
                    await turn.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                    EndTurn(turn);
                }
            }
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivityTicks, Environment.TickCount64);

    // Calls with a caller hand their exception to it; only one-way calls can fault the turn itself.
    private void EndTurn(Task turn)
    {
        if (turn.Exception is { } exception)
            Log.OneWayCallFailed(_logger, exception.GetBaseException(), Id);
        Touch();
        if (Interlocked.Decrement(ref _running) == 0)
            Volatile.Read(ref _drained)?.TrySetResult();
    }

    private async Task<bool> ActivateAsync()
    {
        try
        {
            var grain = _createGrain();
            ((IGrainBinding)grain).Bind(this);
            _grain = grain;
            await OnScheduler(() => grain.OnActivateAsync(_deactivating.Token)).ConfigureAwait(false);
            Log.Activated(_logger, Id);
            return true;
        }
        catch (Exception exception)
        {
            Log.ActivationFailed(_logger, exception, Id);
            await _deactivating.CancelAsync().ConfigureAwait(false);
            _catalog.Remove(this);
            _mailbox.Writer.TryComplete();
            _deactivated.TrySetResult();
            while (_mailbox.Reader.TryRead(out var item))
            {
                // A caller sees the failure and can retry; a one-way call (a wake-up) would be lost, so it is
                // dispatched again after a backoff, a bounded number of times (storage may be briefly unreachable).
                if (item.OneWay && item.ActivationRetries < _options.OneWayActivationRetries)
                    _ = _catalog.RedispatchLaterAsync(Id, item, _options.OneWayRetryDelay * Math.Pow(2, item.ActivationRetries++));
                else
                    item.Fail(exception);
            }

            return false;
        }
    }

    private async Task<bool> TryDeactivateAsync()
    {
        var forced = Interlocked.Exchange(ref _deactivationRequested, 0) == 2;
        if (!forced)
        {
            // Calls still queued or running (reentrant grains) mean the grain is not idle after all.
            if (!IsIdleFor(_options.IdleTimeout))
                return false;
            if (!await OnScheduler(() => _grain!.CanDeactivate).ConfigureAwait(false))
                return false;
        }

        // From here on, new callers find no activation and create a successor, which waits for Deactivated.
        _catalog.Remove(this);
        _mailbox.Writer.TryComplete();
        while (_mailbox.Reader.TryRead(out var late))
        {
            if (!ReferenceEquals(late, DeactivationMarker))
                _catalog.Redispatch(Id, late);
        }

        // A reentrant grain may still have calls inside (a forced deactivation skips the idle check): they
        // finish before the grain is told to deactivate, so its successor never overlaps them.
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        if (Volatile.Read(ref _running) == 0)
            drained.TrySetResult();
        await drained.Task.WaitAsync(_options.DeactivationTimeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);

        await _deactivating.CancelAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(_options.DeactivationTimeout);
            await OnScheduler(() => _grain!.OnDeactivateAsync(timeout.Token)).WaitAsync(_options.DeactivationTimeout).ConfigureAwait(false);
            Log.Deactivated(_logger, Id);
        }
        catch (Exception exception)
        {
            Log.DeactivationFailed(_logger, exception, Id);
        }
        finally
        {
            _deactivated.TrySetResult();
        }

        return true;
    }
}
