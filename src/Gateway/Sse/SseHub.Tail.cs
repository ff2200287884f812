using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Orleans.Streams;

namespace Herald.Gateway.Sse;

/// <summary>
/// The hub's tail of the log: each entry announced on the log stream, or found by the log's own append signal when
/// an announcement is late or lost, is formatted once and handed to every matching listener, in log order.
/// </summary>
public sealed partial class SseHub
{
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
}
