using System.Diagnostics;
using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Grains.Telemetry;

namespace Herald.Grains.Webhooks;

public sealed partial class WebhookGrain
{
    /// <summary>The attempt on the wire. A command that moves the cursor meanwhile marks it overtaken: its answer is logged, not applied.</summary>
    private sealed class InFlightAttempt(Ahead message, int number, Task<AttemptResult> result)
    {
        public Ahead Message { get; } = message;

        public int Number { get; } = number;

        public Task<AttemptResult> Result { get; } = result;

        public bool Overtaken { get; set; }

        /// <summary>A turn is waiting for the answer, and records it; otherwise the answer asks for a pump.</summary>
        public bool Followed { get; set; }

        /// <summary>A turn has waited for this attempt already: no other waits for it again.</summary>
        public bool WasFollowed { get; set; }
    }

    /// <summary>Puts the head message on the wire; the turn that waits for it records its answer, or a pump does when it is late.</summary>
    private void StartAttempt(LogEntry message)
    {
        var head = _ahead.Peek();
        var number = _state.PendingSeq == message.Seq ? _state.PendingAttempts + 1 : 1;

        // An attempt is never cut short by idle collection: the activation stays for at least its timeout.
        DelayDeactivation(options.Value.Timeout + options.Value.Timeout);
        _inFlight = new InFlightAttempt(head, number, SendAsync(head, number));
    }

    private async Task<AttemptResult> SendAsync(Ahead message, int number)
    {
        // The attempt outlives the turn that started it; it joins the trace its message was pushed in, when known.
        Activity.Current = null;
        using var span = StartAttemptSpan(message, number);
        try
        {
            var result = await sender.SendAsync(_endpoint!, _signingKey, message.Entry, _abandonInFlight.Token);
            span?.SetTag("http.response.status_code", result.StatusCode).SetTag("herald.delivery.succeeded", result.Succeeded);
            if (!result.Succeeded)
                span?.SetStatus(ActivityStatusCode.Error, result.Error ?? $"HTTP {result.StatusCode}");
            return result;
        }
        finally
        {
            // Back on the activation's scheduler. Unless the turn that made the attempt still waits for it, a pump
            // records the answer, after the turn now running.
            if (_inFlight is not { Followed: true })
                PumpNow();
        }
    }

    /// <summary>The attempt's span, in the trace its message was pushed in when that is known; null while traces are off.</summary>
    private Activity? StartAttemptSpan(Ahead message, int number)
    {
        if (!HeraldTelemetry.Source.HasListeners())
            return null;
        var span = message.Trace is { } pushed
            ? HeraldTelemetry.Source.StartActivity("herald.deliver", ActivityKind.Internal, pushed)
            : HeraldTelemetry.Source.StartActivity("herald.deliver");
        return span?.SetTag("herald.endpoint.id", Key).SetTag("herald.message.id", message.Entry.Seq).SetTag("herald.delivery.attempt", number);
    }

    /// <summary>Records the answer of the attempt that came back, through the same transition crash recovery replays.</summary>
    private async Task CompleteAttemptAsync()
    {
        var attempt = _inFlight!;
        _inFlight = null;
        if (attempt.Result.Exception is { } fault)
            BackOff(fault.GetBaseException());

        // Abandoned (the activation is going): not recorded, so the next activation makes it again.
        if (!attempt.Result.IsCompletedSuccessfully)
            return;
        var result = attempt.Result.Result;
        var message = attempt.Message.Entry;
        var now = time.GetUtcNow();
        if (attempt.Overtaken)
        {
            // Replay, enable or delete ran while this attempt was in flight; they own the state now.
            var overtaken = result.Succeeded ? AttemptOutcome.Succeeded : AttemptOutcome.Retrying;
            metrics.Attempted(result, overtaken, message.Timestamp, now);
            if (_endpoint is not null)
                Persist(attemptLog.AppendAsync(Record(message, attempt.Number, result, now, overtaken, null), CancellationToken.None).AsTask());
            return;
        }

        string outcome;
        DateTimeOffset? nextAttemptAt;
        try
        {
            (outcome, nextAttemptAt) = await DecideAsync(result, attempt.Number, now);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Disabling the endpoint could not be recorded (the registry is away): the attempt is made again later.
            BackOff(exception);
            return;
        }

        var record = Record(message, attempt.Number, result, now, outcome, nextAttemptAt);
        metrics.Attempted(result, outcome, message.Timestamp, now);
        if (outcome is AttemptOutcome.Succeeded or AttemptOutcome.Failed)
            _ahead.Dequeue();
        if (outcome == AttemptOutcome.Failed)
            GrainLogMessages.MessageFailed(logger, message.Seq, Key, attempt.Number);

        // Per-endpoint order needs the new state in memory (set at once), not on disk, before the next attempt:
        // it is written behind, and the attempt log batches its inserts. A crash before they commit means a
        // redelivery with the same webhook-id, which at-least-once allows.
        Save(_state.After(record));
        Persist(attemptLog.AppendAsync(record, CancellationToken.None).AsTask());
        if (attempt.Number == 1)
            Reported(message.Seq, result.Succeeded);
    }

    /// <summary>What a failed attempt leads to: a retry at its time, the message given up, or the endpoint disabled.</summary>
    private async Task<(string Outcome, DateTimeOffset? NextAttemptAt)> DecideAsync(AttemptResult result, int attemptNumber, DateTimeOffset now)
    {
        if (result.Succeeded)
            return (AttemptOutcome.Succeeded, null);
        var failingSince = _state.FailingSince ?? now;

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
            return (AttemptOutcome.Disabled, null);
        }

        return retryPolicy.NextDelay(attemptNumber, result.RetryAfter) is { } delay
            ? (AttemptOutcome.Retrying, now + delay)
            : (AttemptOutcome.Failed, null);
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
