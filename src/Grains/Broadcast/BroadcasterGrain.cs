using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Runtime;
using Herald.Storage;
using Herald.Streams;
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
    IOptions<DeliveryOptions> options) : Grain, IBroadcasterGrain
{
    public async Task<PushReceipt> PushAsync(PushCommand command)
    {
        var entry = await log.AppendAsync(command.Topic, command.Message);

        // Endpoints created after the append start after it; they are not this push's targets.
        var subscribers = (await registry.GetSubscribersAsync(command.Topic))
            .Where(endpoint => endpoint.StartAfterSeq < entry.Seq)
            .ToArray();

        using var watch = command.Wait ? outcomes.Watch(entry.Seq, subscribers.Select(s => s.Id).ToArray()) : null;
        var notified = watch is null ? 0 : await watch.WaitAsync(options.Value.Timeout, CancellationToken.None);
        return new PushReceipt(entry.Seq, entry.Topic, entry.Timestamp, subscribers.Length, notified);
    }
}
