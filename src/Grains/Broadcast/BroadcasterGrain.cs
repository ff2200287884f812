using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Runtime;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Grains.Broadcast;

/// <summary>
/// One per topic. A push costs one append whatever the number of webhooks: each silo's stream agent wakes the
/// subscribed webhook grains it hosts, and they do their own delivery. With wait, the broadcaster collects
/// their first-attempt outcomes. Reentrant, so pushes waiting for outcomes do not queue behind each other.
/// </summary>
[Reentrant]
public sealed class BroadcasterGrain(
    IStreamLog log,
    IEndpointRegistry registry,
    IDeliveryOutcomeFeed outcomes,
    IOptions<DeliveryOptions> options,
    ILogger<BroadcasterGrain> logger) : Grain, IBroadcasterGrain
{
    public async Task<PushReceipt> PushAsync(PushCommand command)
    {
        // Until the append returns, a failure means nothing was appended (or, for a lost answer, that a retry with
        // the same idempotency key finds the entry). After it, the message is committed: nothing may turn the
        // answer into an error, or a client would push the same message again.
        var (entry, duplicate) = command.IdempotencyKey is { } key
            ? await log.AppendOnceAsync(command.Topic, command.Message, key)
            : new AppendOutcome(await log.AppendAsync(command.Topic, command.Message), Duplicate: false);

        try
        {
            // Endpoints created after the append start after it; they are not this push's targets.
            var subscribers = (await registry.GetSubscribersAsync(entry.Topic))
                .Where(endpoint => endpoint.StartAfterSeq < entry.Seq)
                .ToArray();

            // A duplicate's first attempts were made (or are being made) for the push that appended it.
            using var watch = command.Wait && !duplicate ? outcomes.Watch(entry.Seq, subscribers.Select(s => s.Id).ToArray()) : null;
            var notified = watch is null ? 0 : await watch.WaitAsync(options.Value.Timeout, CancellationToken.None);
            return new PushReceipt(entry.Seq, entry.Topic, entry.Timestamp, subscribers.Length, notified, duplicate, entry.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.PushUnconfirmed(logger, exception, entry.Seq);
            return new PushReceipt(entry.Seq, entry.Topic, entry.Timestamp, 0, 0, duplicate, entry.Message,
                Unconfirmed: "The message is committed and will be delivered, but storage failed before its subscribers " +
                             "could be counted or waited for (the server log says why); do not push it again.");
        }
    }
}
