using System.Collections.Concurrent;

namespace Herald.Grains.Webhooks;

/// <summary>
/// The webhook grains active on this silo, so that a broadcaster on the same silo can wake them with an in-process
/// signal instead of a one-way grain call each: a push to 1,000 endpoints was 1,000 Orleans messages. The signal only
/// completes the task the grain's loop awaits, and that continuation runs on the grain's own scheduler, so the grain
/// stays single-threaded. A grain leaves the board as its deactivation starts; a wake that finds it gone (or closing)
/// goes as a grain call, which Orleans hands to the next activation.
/// </summary>
public sealed class LocalWakeBoard
{
    private readonly ConcurrentDictionary<string, ILocalWakeTarget> _active = new(StringComparer.Ordinal);

    /// <summary>The webhook grains on the board now.</summary>
    public int Count => _active.Count;

    internal void Join(string endpointId, ILocalWakeTarget grain) => _active[endpointId] = grain;

    internal void Leave(string endpointId, ILocalWakeTarget grain) => _active.TryRemove(KeyValuePair.Create(endpointId, grain));

    /// <summary>Wakes the endpoint's grain if it is active here and not closing; false means a grain call must.</summary>
    public bool TryWake(string endpointId) => _active.TryGetValue(endpointId, out var grain) && grain.TryWakeLocally();
}

/// <summary>A grain the <see cref="LocalWakeBoard"/> can wake.</summary>
internal interface ILocalWakeTarget
{
    /// <summary>Signals the grain's delivery loop; false once the grain has begun to deactivate.</summary>
    bool TryWakeLocally();
}
