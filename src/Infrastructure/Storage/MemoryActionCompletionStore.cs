using System.Collections.Concurrent;
using Herald.Contracts;
using Herald.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>Embedded action completions.</summary>
internal sealed class MemoryActionCompletionStore : IActionCompletionStore
{
    private readonly ConcurrentDictionary<(long EventId, string Action), ActionCompletion> _completions = new();

    public ValueTask<(ActionCompletion Completion, bool Created)> CompleteAsync(ActionCompletion completion, CancellationToken cancellationToken = default)
    {
        var stored = _completions.GetOrAdd((completion.EventId, completion.Action), completion);
        return ValueTask.FromResult((stored, ReferenceEquals(stored, completion)));
    }

    public ValueTask<IReadOnlyList<ActionCompletion>> FindAsync(IReadOnlyCollection<long> eventIds, CancellationToken cancellationToken = default)
    {
        var wanted = eventIds.ToHashSet();
        return ValueTask.FromResult<IReadOnlyList<ActionCompletion>>(_completions.Values.Where(c => wanted.Contains(c.EventId)).ToArray());
    }
}
