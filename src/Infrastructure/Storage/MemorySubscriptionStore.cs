using Herald.Contracts;
using Herald.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>Embedded event subscriptions.</summary>
internal sealed class MemorySubscriptionStore(TimeProvider time) : ISubscriptionStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Owner, string Name), EventSubscription> _subscriptions = [];

    public ValueTask<(EventSubscription Subscription, bool Created)> UpsertAsync(EventSubscription subscription, CancellationToken cancellationToken = default)
    {
        var key = (subscription.Owner, subscription.Name);
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(key, out var existing))
            {
                var updated = existing with { Sources = subscription.Sources, Description = subscription.Description ?? existing.Description, UpdatedAt = time.GetUtcNow() };
                _subscriptions[key] = updated;
                return ValueTask.FromResult((updated, false));
            }

            _subscriptions[key] = subscription;
            return ValueTask.FromResult((subscription, true));
        }
    }

    public ValueTask<EventSubscription?> GetAsync(string owner, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_subscriptions.GetValueOrDefault((owner, name)));
    }

    public ValueTask<IReadOnlyList<EventSubscription>> ListAsync(string? owner, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<EventSubscription>>(_subscriptions.Values.Where(s => owner is null || s.Owner == owner)
                .OrderBy(s => s.Owner, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ToArray());
        }
    }

    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_subscriptions.Count);
    }

    public ValueTask<bool> DeleteAsync(string owner, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_subscriptions.Remove((owner, name)));
    }

    public ValueTask<EventSubscription?> AdvanceAsync(string owner, string name, long cursor, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue((owner, name), out var existing))
                return ValueTask.FromResult<EventSubscription?>(null);
            if (cursor > existing.Cursor)
                _subscriptions[(owner, name)] = existing = existing with { Cursor = cursor, UpdatedAt = time.GetUtcNow() };
            return ValueTask.FromResult<EventSubscription?>(existing);
        }
    }
}
