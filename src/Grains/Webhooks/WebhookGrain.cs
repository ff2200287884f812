using System.Diagnostics;
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
/// One per endpoint: it delivers the endpoint's messages strictly in log order and retries on the schedule. Every
/// change of its state runs in a grain turn, one at a time as Orleans schedules them: the calls, and the pump (a grain
/// timer for what falls due, a call to itself for an answer that came late). Only the HTTP attempt itself runs
/// outside a turn and holds no grain state: the turn that made it waits a moment for its answer and records it, and
/// a later answer asks for a pump. A wake carries the entry the broadcaster appended, so a grain that is caught up
/// delivers it without reading the log; the log is read to catch up.
/// <para>
/// State is written behind (<see cref="DeliveryOptions.StateWriteDelay"/>), so a burst of deliveries costs one
/// storage write, not one each; a crash before it means a redelivery with the same webhook-id. A pending retry also
/// registers a reminder for when it is due, so it survives the grain's collection and its silo. Grains are spread
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
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IWebhookPump, IRemindable
{
    public const string GrainTypeName = "webhook";
    private const string RetryReminder = "retry";
    private const int RecentOutcomes = 64;

    // An attempt in flight when the activation is told to go is let finish, for a few seconds at most: its answer is
    // then recorded, and the next activation does not send it again.
    private static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FaultRepeat = TimeSpan.FromSeconds(30);

    // How long a turn waits for the attempt it made. A receiver on the same network answers well within it; a call
    // that comes meanwhile (an operator's command, a push that waits for first attempts) waits no longer than this.
    private static readonly TimeSpan TurnBudget = TimeSpan.FromMilliseconds(50);

    private readonly Queue<Ahead> _ahead = new();
    private readonly CancellationTokenSource _abandonInFlight = new();
    private readonly Dictionary<long, List<IFirstAttemptObserver>> _watching = [];
    private readonly Dictionary<long, bool> _recent = [];
    private readonly Queue<long> _recentOrder = new();
    private string? _key;
    private EndpointDefinition? _endpoint;
    private DeliveryState _state = new();
    private byte[]? _signingKey;
    private long _scannedUpTo;
    private bool _readLog;
    private InFlightAttempt? _inFlight;
    private IGrainTimer? _pump;
    private IWebhookPump? _self;
    private DateTimeOffset? _pumpAt;
    private Task _pendingWrites = Task.CompletedTask;
    private EndpointBacklogMark? _backlog;
    private DateTimeOffset? _writeDue;
    private DateTimeOffset? _faultUntil;
    private DateTimeOffset? _faultSaidAt;
    private bool _dirty;
    private bool _reminderRegistered;
    private DateTimeOffset? _reminderDue;
    private bool _stale;
    private bool _closing;

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

        // The pump's ticks keep the activation while it has work; with none, it is collected as any grain is.
        _pump = this.RegisterGrainTimer(static (grain, _) => grain.OnTimerAsync(), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });

        // Whatever call activated the grain, it catches up with the log from its cursor.
        _readLog = true;
        PumpNow();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _closing = true;
        _pump?.Dispose();
        if (_inFlight is { } attempt)
        {
            _abandonInFlight.CancelAfter(InFlightGrace);
            using var abandon = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _abandonInFlight);
            await attempt.Result.ContinueWith(static _ => { }, TaskScheduler.Current);
            if (attempt.Result.IsCompletedSuccessfully)
                await CompleteAttemptAsync().WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
        }

        ReportUnmade();

        // The last write says this activation ended cleanly, so the next one need not look at the attempt log.
        if (!_stale && _endpoint is not null && (_dirty || persisted.State?.Open == true))
        {
            MarkDirty();
            await WriteStateAsync(closing: true).WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
        }

        await _pendingWrites.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Current);
        SetClean();
        counters.Deactivated();
        if (_backlog is not null)
            counters.Untrack(_backlog);

        // Work this activation knew of and did not finish (a message read or handed over but not yet attempted, or a
        // log it was told to read) is passed on to the next activation, not left for the next push. A retry waiting
        // for its time is not: its reminder brings the grain back when it is due.
        if (_endpoint is { Enabled: true } && !_stale && _state.PendingSeq is null && (_ahead.Count > 0 || _readLog))
            this.AsReference<IWebhookGrain>().WakeAsync().Ignore();
    }

    public async Task DeliverAsync(LogEntry entry, IFirstAttemptObserver? outcomes = null)
    {
        if (outcomes is not null)
            Watch(entry.Seq, outcomes);
        Accept(entry, Activity.Current?.Context);
        await StepAsync();
        await FollowAttemptAsync();
        EndIfGone();
    }

    public async Task WakeAsync()
    {
        _readLog = true;
        await StepAsync();
        EndIfGone();
    }

    public Task ResumeAsync() => WakeAsync();

    public Task<DeliveryState?> GetStateAsync()
    {
        EndIfGone();
        return Task.FromResult(_endpoint is null ? null : _state);
    }
}
