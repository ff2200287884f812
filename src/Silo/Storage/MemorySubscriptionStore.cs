using Herald.Contracts;
using Herald.Storage;

namespace Herald.Silo.Storage;

/// <summary>Embedded event subscriptions.</summary>
internal sealed class MemorySubscriptionStore(TimeProvider time) : ISubscriptionStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EventSubscription> _subscriptions = new(StringComparer.Ordinal);

    public ValueTask<(EventSubscription Subscription, bool Created)> UpsertAsync(EventSubscription subscription, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(subscription.Name, out var existing))
            {
                var updated = existing with { Sources = subscription.Sources, Description = subscription.Description ?? existing.Description, UpdatedAt = time.GetUtcNow() };
                _subscriptions[subscription.Name] = updated;
                return ValueTask.FromResult((updated, false));
            }

            _subscriptions[subscription.Name] = subscription;
            return ValueTask.FromResult((subscription, true));
        }
    }

    public ValueTask<EventSubscription?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_subscriptions.GetValueOrDefault(name));
    }

    public ValueTask<IReadOnlyList<EventSubscription>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult<IReadOnlyList<EventSubscription>>(_subscriptions.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray());
    }

    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_subscriptions.Count);
    }

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_subscriptions.Remove(name));
    }

    public ValueTask<EventSubscription?> AdvanceAsync(string name, long cursor, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(name, out var existing))
                return ValueTask.FromResult<EventSubscription?>(null);
            if (cursor > existing.Cursor)
                _subscriptions[name] = existing = existing with { Cursor = cursor, UpdatedAt = time.GetUtcNow() };
            return ValueTask.FromResult<EventSubscription?>(existing);
        }
    }
}
