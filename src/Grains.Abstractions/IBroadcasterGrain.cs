using Herald.Contracts;
using Herald.Runtime;

namespace Herald;

/// <summary>One per topic. Appends a push to the log once and wakes the topic's webhook grains in parallel.</summary>
public interface IBroadcasterGrain : IGrainWithStringKey
{
    Task<PushReceipt> PushAsync(PushCommand command);
}
