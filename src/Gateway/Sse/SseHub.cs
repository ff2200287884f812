using Herald.Contracts;
using Herald.Silo.Cluster;
using Herald.Silo.Storage;
using Herald.MessageLog;
using Orleans.Streams;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Sse;

/// <summary>
/// Hands each log entry, in order and formatted once, to every matching listener on this gateway. New entries are
/// announced on an Orleans stream; the log itself (its append notification, and reads of any gap) backs it up, so an
/// announcement lost with a silo delays nothing.
/// A listener attaches at a known sequence: everything after it arrives live, everything up to it the listener
/// replays from the log itself, so a reconnect with Last-Event-ID has no gap and no duplicate.
/// </summary>
public sealed class SseHub(IMessageLog log, IClusterClient cluster, IOptions<SseOptions> options, IHostApplicationLifetime lifetime, ILogger<SseHub> logger)
    : BackgroundService, ILocalConnectionCount
{
    private TaskCompletionSource _gapAnnounced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly SseFrame KeepAliveFrame = new(0, SseFrames.KeepAlive);
    private readonly Lock _gate = new();
    private readonly HashSet<SseConnection> _connections = [];

    // The listeners by topic filter, kept as they attach and detach, so that a push counts the listeners its topic
    // reaches over the distinct filters (a handful) rather than over every connection.
    private readonly Dictionary<string, (TopicFilter Filter, int Count)> _byFilter = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dispatched;
    private bool _stopping;

    int ILocalConnectionCount.Count => ConnectionCount;

    public IReadOnlyDictionary<string, int> CountByFilter()
    {
        lock (_gate)
            return _byFilter.ToDictionary(f => f.Key, f => f.Value.Count, StringComparer.Ordinal);
    }

    public int CountMatching(string topic)
    {
        lock (_gate)
        {
            var count = 0;
            foreach (var (filter, listeners) in _byFilter.Values)
            {
                if (filter.Matches(topic))
                    count += listeners;
            }

            return count;
        }
    }

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
                return _connections.Count;
        }
    }

    /// <summary>
    /// Reserves a place for a listener from <paramref name="client"/> within the total and per-client limits;
    /// false when either is reached. Every successful reservation is given back with <see cref="Release"/>.
    /// </summary>
    public bool TryReserve(string client)
    {
        lock (_gate)
        {
            var total = _perClient.Values.Sum();
            var mine = _perClient.GetValueOrDefault(client);
            if (total >= options.Value.MaxConnections || mine >= options.Value.MaxConnectionsPerIp)
                return false;
            _perClient[client] = mine + 1;
            return true;
        }
    }

    public void Release(string client)
    {
        lock (_gate)
        {
            if (_perClient.TryGetValue(client, out var count) && count > 1)
                _perClient[client] = count - 1;
            else
                _perClient.Remove(client);
        }
    }

    /// <summary>Attaches a listener. Returns the sequence it must replay up to; later messages arrive live.</summary>
    public async Task<long> AttachAsync(SseConnection connection, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_stopping)
                connection.Close();
            else if (_connections.Add(connection))
                CountFilterLocked(connection, +1);
            return _dispatched;
        }
    }

    public void Detach(SseConnection connection)
    {
        lock (_gate)
        {
            if (_connections.Remove(connection))
                CountFilterLocked(connection, -1);
        }
    }

    private void CountFilterLocked(SseConnection connection, int change)
    {
        var key = connection.FilterKey;
        var count = (_byFilter.TryGetValue(key, out var known) ? known.Count : 0) + change;
        if (count > 0)
            _byFilter[key] = (connection.Filter, count);
        else
            _byFilter.Remove(key);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Listeners are closed when shutdown begins, or the server would wait for their streams to end.
        using var stopping = lifetime.ApplicationStopping.Register(CloseAll);
        var keepAlive = KeepAliveAsync(stoppingToken);
        var announcements = SubscribeWhenStartedAsync(stoppingToken);
        var waitingForLog = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_ready.Task.IsCompleted)
                {
                    _dispatched = (await log.GetBoundsAsync(stoppingToken).ConfigureAwait(false)).Head;
                    _ready.TrySetResult();
                }

                // The log's own notification is the safety net under the stream: whichever comes first wakes the tail.
                var gap = Volatile.Read(ref _gapAnnounced).Task;
                await Task.WhenAny(log.WaitForAppendAsync(Volatile.Read(ref _dispatched), stoppingToken).AsTask(), gap).ConfigureAwait(false);
                stoppingToken.ThrowIfCancellationRequested();
                if (gap.IsCompleted)
                    Volatile.Write(ref _gapAnnounced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                await DispatchBatchAsync(stoppingToken).ConfigureAwait(false);
                waitingForLog = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
            {
                // A database restart is a fault a cluster expects: one line when it starts, not a stack trace per retry.
                if (!waitingForLog)
                    GatewayLogMessages.SseHubWaits(logger, exception.GetBaseException().Message, options.Value.FaultBackoff);
                waitingForLog = true;
                await Task.Delay(options.Value.FaultBackoff, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                GatewayLogMessages.SseHubFault(logger, exception);
                await Task.Delay(options.Value.FaultBackoff, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }

        await keepAlive.ConfigureAwait(false);
        await announcements.ConfigureAwait(false);
    }

    /// <summary>Subscribes to the Orleans stream that announces log entries, once the silo runs; tries again until it can.</summary>
    private async Task SubscribeWhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);

        StreamSubscriptionHandle<LogAppended>? subscription = null;
        while (subscription is null && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                var stream = cluster.GetStreamProvider(LogAppended.StreamProvider).GetStream<LogAppended>(LogAppended.StreamNamespace, LogAppended.StreamKey);
                subscription = await stream.SubscribeAsync((entry, _) =>
                {
                    OnAnnounced(entry);
                    return Task.CompletedTask;
                }).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                GatewayLogMessages.SseHubFault(logger, exception);
                await Task.Delay(options.Value.FaultBackoff, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }

        if (subscription is null)
            return;
        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        try
        {
            await subscription.UnsubscribeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The silo is stopping with it; the stream forgets a subscriber that is gone.
        }
    }

    private async Task DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var after = Volatile.Read(ref _dispatched);
        var batch = await log.ReadAsync(after, options.Value.ReplayBatchSize, cancellationToken).ConfigureAwait(false);

        // With entries read, the first one is the next that exists: appends commit in sequence order, so a number
        // below it that is missing never will be. With none read, nothing after `after` had committed when the log was
        // read, and only retention can have moved the start past it. The head is no evidence then: it may hold
        // entries committed since the read (and announced on the stream meanwhile), which must not be stepped over.
        var bounds = batch.Count == 0 ? await log.GetBoundsAsync(cancellationToken).ConfigureAwait(false) : default;
        var next = batch.Count > 0 ? batch[0].Seq : bounds.FirstRetained;
        if (next > after + 1)
        {
            // A hole in the sequence is either pruned (retention ran ahead of this hub: listeners must hear of it)
            // or never existed (an append rolled back after taking its number: nothing was lost).
            if (batch.Count > 0)
                bounds = await log.GetBoundsAsync(cancellationToken).ConfigureAwait(false);
            var prunedUpTo = Math.Min(next, bounds.FirstRetained) - 1;
            lock (_gate)
            {
                if (prunedUpTo > _dispatched)
                {
                    GatewayLogMessages.SseHubGap(logger, _dispatched + 1, prunedUpTo);
                    var reset = new SseFrame(0, SseFrames.Reset("gateway fell behind log retention", _dispatched, prunedUpTo + 1));
                    foreach (var connection in _connections)
                        connection.Offer(reset);
                }

                _dispatched = Math.Max(_dispatched, next - 1);
            }
        }

        foreach (var message in batch)
            Dispatch(message);
    }

    /// <summary>
    /// An entry announced on the Orleans stream. The next one in sequence goes straight to the listeners, with no
    /// read of the log; one further ahead means announcements were missed, and the tail loop reads the gap.
    /// </summary>
    private void OnAnnounced(LogAppended entry)
    {
        if (!_ready.Task.IsCompleted)
            return;
        var next = false;
        lock (_gate)
            next = entry.Seq == _dispatched + 1;
        if (next)
            Dispatch(entry.ToMessage());
        else if (entry.Seq > Volatile.Read(ref _dispatched))
            _gapAnnounced.TrySetResult();
    }

    private void Dispatch(LogEntry message)
    {
        lock (_gate)
        {
            // The log and the stream both bring each entry; whichever comes first is sent, once.
            if (message.Seq <= _dispatched)
                return;

            // Formatted under the lock, at most once per format, and only if someone listens: a listener that
            // attaches before this point expects this message live.
            SseFrame text = default, json = default;
            foreach (var connection in _connections)
            {
                if (!connection.Filter.Matches(message.Topic))
                    continue;
                if (connection.Format == SseFormat.Json)
                {
                    if (json.Bytes.IsEmpty)
                        json = new SseFrame(message.Seq, SseFrames.JsonMessage(message));
                    connection.Offer(json);
                }
                else
                {
                    if (text.Bytes.IsEmpty)
                        text = new SseFrame(message.Seq, SseFrames.Message(message));
                    connection.Offer(text);
                }
            }

            _dispatched = message.Seq;
        }
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeepAliveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    foreach (var connection in _connections)
                        connection.Offer(KeepAliveFrame);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Ends every listener's stream on this gateway, as an operator does before draining it. Each client
    /// reconnects (to this gateway or another) with Last-Event-ID and replays what it missed, so nothing is lost.
    /// </summary>
    public int DisconnectAll()
    {
        lock (_gate)
        {
            // Out of the set at once: a frame offered to a closed connection would count as an overflow.
            var count = _connections.Count;
            foreach (var connection in _connections)
                connection.Close();
            _connections.Clear();
            _byFilter.Clear();
            return count;
        }
    }

    private void CloseAll()
    {
        lock (_gate)
            _stopping = true;
        DisconnectAll();
    }
}
