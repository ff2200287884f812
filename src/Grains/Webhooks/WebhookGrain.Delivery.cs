using System.Diagnostics;
using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Grains.Telemetry;

namespace Herald.Grains.Webhooks;

public sealed partial class WebhookGrain
{
    /// <summary>The next message for this endpoint, reading ahead from the log in batches; null when caught up.</summary>
    private async Task<LogEntry?> PeekAsync(CancellationToken cancellationToken)
    {
        if (_ahead.Count > 0)
            return _ahead.Peek();

        var endpoint = _endpoint!;
        var batchSize = options.Value.ReadBatchSize;
        while (true)
        {
            var batch = await log.ReadAsync(_scannedUpTo, batchSize, cancellationToken);
            if (batch.Count == 0)
            {
                if (_state.Cursor != _scannedUpTo || !_state.CaughtUp)
                    Save(_state with { Cursor = _scannedUpTo, CaughtUp = true });
                return null;
            }

            if (batch[0].Seq > _scannedUpTo + 1)
                await RecordRetentionGapAsync(_scannedUpTo + 1, batch[0].Seq - 1, cancellationToken);
            if (batch.Count == batchSize)
                _state = _state with { CaughtUp = false };

            foreach (var message in batch)
            {
                _scannedUpTo = message.Seq;
                if (endpoint.Filter.Matches(message.Topic))
                    _ahead.Enqueue(message);
            }

            if (_ahead.Count > 0)
                return _ahead.Peek();
        }
    }

    /// <summary>
    /// Counts the pruned part of a hole in the sequence. The rest of a hole never held a message: an append that
    /// rolled back (or a database crash) leaves its number unused.
    /// </summary>
    private async Task RecordRetentionGapAsync(long from, long to, CancellationToken cancellationToken)
    {
        if (_state.CaughtUp)
            return;
        to = Math.Min(to, (await log.GetBoundsAsync(cancellationToken)).FirstRetained - 1);
        if (to < from)
            return;
        GrainLogMessages.SkippedByRetention(logger, Key, from, to);
        Save(_state with { SkippedByRetention = _state.SkippedByRetention + (to - from + 1) });
    }

    private async Task AttemptAsync(LogEntry message)
    {
        var endpoint = _endpoint!;
        var attemptNumber = _state.PendingSeq == message.Seq ? _state.PendingAttempts + 1 : 1;
        var generation = _generation;

        // An attempt is never cut short by idle collection: the activation stays for at least its timeout.
        DelayDeactivation(options.Value.Timeout + options.Value.Timeout);
        _inFlight = true;
        _inFlightSeq = message.Seq;
        using var span = StartAttemptSpan(message, attemptNumber);
        AttemptResult result;
        try
        {
            result = await sender.SendAsync(endpoint, _signingKey, message, _abandonInFlight.Token);
        }
        finally
        {
            _inFlight = false;
        }

        span?.SetTag("http.response.status_code", result.StatusCode).SetTag("herald.delivery.succeeded", result.Succeeded);
        if (!result.Succeeded)
            span?.SetStatus(ActivityStatusCode.Error, result.Error ?? $"HTTP {result.StatusCode}");

        // Once an attempt has been made it is recorded, even if the grain is deactivating meanwhile.
        await _stateGate.WaitAsync(CancellationToken.None);
        try
        {
            var now = time.GetUtcNow();
            if (generation != _generation)
            {
                // Replay, enable or delete ran while this attempt was in flight; they own the state now.
                var overtaken = result.Succeeded ? AttemptOutcome.Succeeded : AttemptOutcome.Retrying;
                metrics.Attempted(result, overtaken, message.Timestamp, now);
                if (_endpoint is not null)
                    Persist(attemptLog.AppendAsync(Record(message, attemptNumber, result, now, overtaken, null), CancellationToken.None).AsTask());
                return;
            }

            var (state, outcome) = result.Succeeded ? Delivered(message) : await FailedAsync(message, attemptNumber, result, now);
            var attempt = Record(message, attemptNumber, result, now, outcome, state.NextAttemptAt);
            metrics.Attempted(result, outcome, message.Timestamp, now);

            // Per-endpoint order needs the new state in memory (set at once), not on disk, before the next attempt:
            // it is written behind, and the attempt log batches its inserts. A crash before they commit means a
            // redelivery with the same webhook-id, which at-least-once allows.
            Save(state with { LastAttempt = attempt });
            Persist(attemptLog.AppendAsync(attempt, CancellationToken.None).AsTask());
            if (attemptNumber == 1)
                Reported(message.Seq, result.Succeeded);
        }
        finally
        {
            _stateGate.Release();
        }
    }

    /// <summary>The attempt's span, in the trace its message was pushed in when that is known; null while traces are off.</summary>
    private Activity? StartAttemptSpan(LogEntry message, int attemptNumber)
    {
        if (!HeraldTelemetry.Source.HasListeners())
            return null;
        var span = traces.Find(message.Seq) is { } pushed
            ? HeraldTelemetry.Source.StartActivity("herald.deliver", ActivityKind.Internal, pushed)
            : HeraldTelemetry.Source.StartActivity("herald.deliver");
        return span?.SetTag("herald.endpoint.id", Key).SetTag("herald.message.id", message.Seq).SetTag("herald.delivery.attempt", attemptNumber);
    }

    private (DeliveryState, string) Delivered(LogEntry message)
    {
        _ahead.Dequeue();
        return (_state with
        {
            Cursor = message.Seq,
            PendingSeq = null,
            PendingAttempts = 0,
            NextAttemptAt = null,
            ConsecutiveFailures = 0,
            FailingSince = null,
            Delivered = _state.Delivered + 1,
        }, AttemptOutcome.Succeeded);
    }

    private async Task<(DeliveryState, string)> FailedAsync(LogEntry message, int attemptNumber, AttemptResult result, DateTimeOffset now)
    {
        var failingSince = _state.FailingSince ?? now;
        var failing = _state with { ConsecutiveFailures = _state.ConsecutiveFailures + 1, FailingSince = failingSince, CaughtUp = false };

        // A destination the SSRF guard refuses will be refused again: the endpoint stops, with the reason, instead of retrying.
        var disableReason = result.Gone
            ? "The endpoint answered 410 Gone."
            : result.Blocked
            ? result.Error
            : now - failingSince >= options.Value.AutoDisableAfter
                ? $"Failing with no success since {HeraldTime.ToWire(failingSince)}."
                : null;
        if (disableReason is not null)
        {
            await DisableAsync(disableReason, now);
            metrics.Disabled(result);
            return (failing with { PendingSeq = message.Seq, PendingAttempts = attemptNumber, NextAttemptAt = null }, AttemptOutcome.Disabled);
        }

        if (retryPolicy.NextDelay(attemptNumber, result.RetryAfter) is { } delay)
            return (failing with { PendingSeq = message.Seq, PendingAttempts = attemptNumber, NextAttemptAt = now + delay }, AttemptOutcome.Retrying);

        _ahead.Dequeue();
        GrainLogMessages.MessageFailed(logger, message.Seq, Key, attemptNumber);
        return (failing with
        {
            Cursor = message.Seq,
            PendingSeq = null,
            PendingAttempts = 0,
            NextAttemptAt = null,
            Failed = _state.Failed + 1,
        }, AttemptOutcome.Failed);
    }

    private async Task DisableAsync(string reason, DateTimeOffset now)
    {
        _endpoint = _endpoint! with { Enabled = false, DisabledReason = reason, DisabledAt = now };
        await registry.UpdateAsync(_endpoint);
        GrainLogMessages.EndpointDisabled(logger, Key, reason);
    }

    private DeliveryAttempt Record(LogEntry message, int attemptNumber, AttemptResult result, DateTimeOffset now, string outcome, DateTimeOffset? nextRetryAt) => new()
    {
        EndpointId = Key,
        MessageId = message.Seq,
        Attempt = attemptNumber,
        Timestamp = now,
        StatusCode = result.StatusCode,
        LatencyMs = Math.Round(result.LatencyMs, 3),
        Error = result.Error,
        ResponseBody = result.ResponseBody,
        Outcome = outcome,
        NextRetryAt = nextRetryAt,
    };

    /// <summary>Tracks writes that are not awaited, so deactivation can wait for them and failures are logged.</summary>
    private void Persist(Task write)
    {
        // In-memory storage finishes its writes at once; only writes still under way need tracking.
        if (_pendingWrites.IsCompletedSuccessfully && write.IsCompletedSuccessfully)
            return;
        var previous = _pendingWrites;
        var key = Key;
        _pendingWrites = Task.WhenAll(write, previous).ContinueWith(
            done =>
            {
                if (done.Exception is { } exception && ExpectedFaults.Includes(exception))
                    GrainLogMessages.PumpWaits(logger, key, ExpectedFaults.Reason(exception));
                else if (done.Exception is { } failure)
                    GrainLogMessages.PumpFault(logger, failure.GetBaseException(), key);
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
