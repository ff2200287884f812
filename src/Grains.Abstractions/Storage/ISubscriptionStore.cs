using Herald.Contracts;

namespace Herald.Storage;

/// <summary>Named event subscriptions and their server-side cursors.</summary>
public interface ISubscriptionStore
{
    /// <summary>
    /// Creates the subscription, or updates the sources (and the description, when one is given) of the one with
    /// its name while keeping that one's cursor; returns the stored subscription and whether this call created it.
    /// </summary>
    ValueTask<(EventSubscription Subscription, bool Created)> UpsertAsync(EventSubscription subscription, CancellationToken cancellationToken = default);

    ValueTask<EventSubscription?> GetAsync(string name, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<EventSubscription>> ListAsync(CancellationToken cancellationToken = default);

    ValueTask<int> CountAsync(CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Moves the cursor forward to <paramref name="cursor"/>, never back; null when there is no such subscription.</summary>
    ValueTask<EventSubscription?> AdvanceAsync(string name, long cursor, CancellationToken cancellationToken = default);
}
