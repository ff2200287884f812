using Herald.Contracts;

namespace Herald;

/// <summary>
/// Appends a push to the log once and wakes the topic's webhook grains in parallel, with one-way calls. A stateless
/// worker: every silo runs its own, next to the gateway that took the push, so a push makes no extra hop.
/// </summary>
[Alias("Herald.IBroadcasterGrain")]
public interface IBroadcasterGrain : IGrainWithStringKey
{
    [Alias("Push")]
    Task<PushReceipt> PushAsync(PushCommand command);

    /// <summary>Wakes the subscribers of an entry appended elsewhere (an inbound event) and announces it to listeners.</summary>
    [Alias("FanOut")]
    Task FanOutAsync(LogAppended entry);
}
