using System.Collections.Concurrent;
using Herald.Storage;

namespace Herald.Silo.Storage;

/// <summary>Embedded grain state: immutable state records kept by reference.</summary>
internal sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string Type, string Key), object> _states = new();

    public ValueTask<T?> ReadStateAsync<T>(string grainType, string key, CancellationToken cancellationToken = default) where T : class =>
        ValueTask.FromResult(_states.TryGetValue((grainType, key), out var state) ? (T)state : null);

    public ValueTask WriteStateAsync<T>(string grainType, string key, T state, CancellationToken cancellationToken = default) where T : class
    {
        _states[(grainType, key)] = state;
        return ValueTask.CompletedTask;
    }

    public ValueTask ClearStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        _states.TryRemove((grainType, key), out _);
        return ValueTask.CompletedTask;
    }
}
