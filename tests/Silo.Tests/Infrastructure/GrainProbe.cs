using System.Collections.Concurrent;

namespace Herald.Silo.Tests.Infrastructure;

/// <summary>
/// A singleton that test grains report to and wait on: counters, an ordered event log and named gates. One
/// per test host, so tests running in parallel do not see each other.
/// </summary>
public sealed class GrainProbe
{
    private readonly ConcurrentDictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _events = new();

    public int Increment(string counter) => _counters.AddOrUpdate(counter, 1, static (_, count) => count + 1);

    public int Count(string counter) => _counters.GetValueOrDefault(counter);

    public void Record(string @event) => _events.Enqueue(@event);

    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>A task that completes once <see cref="Open"/> is called with the same name.</summary>
    public Task Gate(string name) => GateSource(name).Task;

    public void Open(string name) => GateSource(name).TrySetResult();

    private TaskCompletionSource GateSource(string name) =>
        _gates.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
