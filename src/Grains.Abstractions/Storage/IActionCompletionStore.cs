using Herald.Contracts;

namespace Herald.Storage;

/// <summary>
/// Completions of the actions derived from inbound events. Pending actions are not stored: they are the events
/// that match an action rule, less the completions here, so storing an event and queueing its actions is one write.
/// </summary>
public interface IActionCompletionStore
{
    /// <summary>Records the completion unless one exists for the event and action; returns the recorded one and whether this call made it.</summary>
    ValueTask<(ActionCompletion Completion, bool Created)> CompleteAsync(ActionCompletion completion, CancellationToken cancellationToken = default);

    /// <summary>The completions recorded for any of these events.</summary>
    ValueTask<IReadOnlyList<ActionCompletion>> FindAsync(IReadOnlyCollection<long> eventIds, CancellationToken cancellationToken = default);
}
