using Herald.Contracts;

namespace Herald.Storage;

/// <summary>Named event subscriptions and their server-side cursors, each owner's names its own.</summary>
public interface ISubscriptionStore
{
    /// <summary>
    /// Creates the subscription, or updates the sources (and the description, when one is given) of its owner's one
    /// with its name while keeping that one's cursor; returns the stored subscription and whether this call created it.
    /// </summary>
    ValueTask<(EventSubscription Subscription, bool Created)> UpsertAsync(EventSubscription subscription, CancellationToken cancellationToken = default);

    ValueTask<EventSubscription?> GetAsync(string owner, string name, CancellationToken cancellationToken = default);

    /// <summary>The owner's subscriptions by name, or every owner's (by owner, then name) when <paramref name="owner"/> is null.</summary>
    ValueTask<IReadOnlyList<EventSubscription>> ListAsync(string? owner, CancellationToken cancellationToken = default);

    /// <summary>How many subscriptions exist, of every owner.</summary>
    ValueTask<int> CountAsync(CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteAsync(string owner, string name, CancellationToken cancellationToken = default);

    /// <summary>Moves the cursor forward to <paramref name="cursor"/>, never back; null when the owner has no such subscription.</summary>
    ValueTask<EventSubscription?> AdvanceAsync(string owner, string name, long cursor, CancellationToken cancellationToken = default);
}
