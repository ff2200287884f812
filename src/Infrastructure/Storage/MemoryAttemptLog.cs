using System.Collections.Concurrent;
using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Storage;

/// <summary>Embedded attempt log: the newest attempts of each endpoint, bounded per endpoint.</summary>
internal sealed class MemoryAttemptLog(IOptions<DeliveryOptions> options) : IAttemptLog
{
    private readonly ConcurrentDictionary<string, Queue<DeliveryAttempt>> _byEndpoint = new(StringComparer.Ordinal);

    public ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        var queue = _byEndpoint.GetOrAdd(attempt.EndpointId, _ => new Queue<DeliveryAttempt>());
        lock (queue)
        {
            queue.Enqueue(attempt);
            while (queue.Count > options.Value.AttemptRetentionPerEndpoint)
                queue.Dequeue();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<(IReadOnlyList<DeliveryAttempt> Attempts, int Total)> ListAsync(string endpointId, int limit, CancellationToken cancellationToken = default)
    {
        if (!_byEndpoint.TryGetValue(endpointId, out var queue))
            return ValueTask.FromResult<(IReadOnlyList<DeliveryAttempt>, int)>(([], 0));
        lock (queue)
            return ValueTask.FromResult<(IReadOnlyList<DeliveryAttempt>, int)>((queue.Reverse().Take(limit).ToArray(), queue.Count));
    }

    public ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        _byEndpoint.TryRemove(endpointId, out _);
        return ValueTask.CompletedTask;
    }
}
