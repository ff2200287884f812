using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Grains.Telemetry;
using Herald.MessageLog;
using Herald.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

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
}
