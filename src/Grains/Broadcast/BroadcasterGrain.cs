using Herald.Contracts;
using Herald.Grains.Telemetry;
using Herald.Storage;
using Herald.MessageLog;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Herald.Grains.Broadcast;

/// <summary>
/// A push costs one append whatever the number of webhooks: the broadcaster then wakes the topic's webhook grains
/// with one-way calls that carry the entry, and they do their own delivery. A stateless worker, so each silo runs it
/// next to the gateway that took the push; reentrant, so pushes do not queue behind each other's appends.
/// </summary>
[StatelessWorker]
[Reentrant]
[GrainType("broadcaster")]
public sealed class BroadcasterGrain(
    IMessageLog log,
    IEndpointRegistry registry,
    DeliveryMetrics metrics,
    ILogger<BroadcasterGrain> logger) : Grain, IBroadcasterGrain
{
    private const int MaxReferences = 100_000;

    // Pushes interleave (the grain is reentrant), but only at awaits: the map is touched between them.
    private readonly Dictionary<string, IWebhookGrain> _webhooks = new(StringComparer.Ordinal);

    public async Task<PushReceipt> PushAsync(PushCommand command)
    {
        // Until the append returns, a failure means nothing was appended (or, for a lost answer, that a retry with
        // the same idempotency key finds the entry). After it, the message is committed: nothing may turn the
        // answer into an error, or a client would push the same message again.
        LogEntry entry;
        bool duplicate;
        using (var appending = HeraldTelemetry.Source.StartActivity("herald.append"))
        {
            (entry, duplicate) = await log.AppendAsync(new LogAppend(command.Topic, command.Message, Payload: command.Data, IdempotencyKey: command.IdempotencyKey));
            appending?.SetTag("herald.message.id", entry.Seq).SetTag("herald.topic", entry.Topic).SetTag("herald.duplicate", duplicate);
        }

        // A duplicate's subscribers were woken (and their first attempts made) for the push that appended it, unless
        // that push is this one, retried after its first try failed once the entry was committed: then the wakes may
        // never have gone out. They go out now (waking twice is harmless); listeners read the entry from the log.
        if (duplicate && command.Retry && entry.Topic == command.Topic && entry.Message == command.Message)
            return await WakeRetriedAsync(entry, command.Outcomes);
        if (duplicate)
            return new PushReceipt(entry.Seq, entry.Topic, entry.Timestamp, [], Duplicate: true, entry.Message);
        metrics.PushAppended();
        try
        {
            var subscribers = await FanOutAsync(entry, command.Outcomes);
            return new PushReceipt(entry.Seq, entry.Topic, entry.Timestamp, subscribers, Duplicate: false, entry.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Its subscribers were not (all) woken: a sweep finds them once storage answers again.
            GrainLogMessages.PushUnconfirmed(logger, exception, entry.Seq);
            _ = GrainFactory.GetGrain<ISweepGrain>(0).RequestAsync($"waking the subscribers of message {entry.Seq} failed");
            return new PushReceipt(entry.Seq, entry.Topic, entry.Timestamp, [], Duplicate: false, entry.Message,
                Unconfirmed: "The message is committed and will be delivered, but storage failed before its subscribers " +
                             "could be counted or waited for (the server log says why); do not push it again.");
        }
    }

    public async Task FanOutAsync(LogAppended entry) => await FanOutAsync(entry.ToMessage(), outcomes: null);

    private async Task<PushReceipt> WakeRetriedAsync(LogEntry entry, IFirstAttemptObserver? outcomes)
    {
        var subscribers = await SubscribersAsync(entry);
        foreach (var id in subscribers)
            _ = Webhook(id).DeliverAsync(entry, outcomes);
        return new PushReceipt(entry.Seq, entry.Topic, entry.Timestamp, subscribers, Duplicate: false, entry.Message);
    }

    // Endpoints created after the append start after it; they are not this entry's targets.
    private async Task<string[]> SubscribersAsync(LogEntry entry) =>
        (await registry.GetSubscribersAsync(entry.Topic))
            .Where(endpoint => endpoint.StartAfterSeq < entry.Seq)
            .Select(endpoint => endpoint.Id)
            .ToArray();

    /// <summary>Wakes the entry's subscribers and announces it to every gateway's SSE listeners; returns the subscribers.</summary>
    private async Task<IReadOnlyList<string>> FanOutAsync(LogEntry entry, IFirstAttemptObserver? outcomes)
    {
        var subscribers = await SubscribersAsync(entry);

        // One-way calls that carry the entry: a grain that is caught up delivers it without reading the log, and the
        // call carries the push's trace, which the grain's attempt joins.
        foreach (var id in subscribers)
            _ = Webhook(id).DeliverAsync(entry, outcomes);

        // Not awaited: the stream's queue may live on a silo that just died, and a push must not wait for that to be
        // noticed. Listeners that miss the announcement read the entry from the log.
        _ = AnnounceAsync(entry);
        return subscribers;
    }

    /// <summary>
    /// The endpoint's grain reference, made once per activation: a reference is parsed from the id and looked up in
    /// the runtime's cache each time otherwise, which a fan-out to 1,000 endpoints paid on every push. Deleted
    /// endpoints leave entries behind, so the map starts over past a bound.
    /// </summary>
    private IWebhookGrain Webhook(string endpointId)
    {
        if (_webhooks.TryGetValue(endpointId, out var grain))
            return grain;
        if (_webhooks.Count >= MaxReferences)
            _webhooks.Clear();
        return _webhooks[endpointId] = GrainFactory.GetGrain<IWebhookGrain>(endpointId);
    }

    private async Task AnnounceAsync(LogEntry entry)
    {
        try
        {
            var stream = this.GetStreamProvider(LogAppended.StreamProvider).GetStream<LogAppended>(LogAppended.StreamNamespace, LogAppended.StreamKey);
            await stream.OnNextAsync(LogAppended.From(entry));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            if (ExpectedFaults.Includes(exception))
                GrainLogMessages.AnnounceMissed(logger, entry.Seq, ExpectedFaults.Reason(exception));
            else
                GrainLogMessages.AnnounceFailed(logger, exception, entry.Seq);
        }
    }
}
