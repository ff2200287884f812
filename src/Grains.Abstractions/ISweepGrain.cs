using Orleans.Concurrency;
namespace Herald;

/// <summary>
/// One per cluster. Wakes every endpoint that still has messages to deliver. One-way wakes are lost with a silo
/// that dies, and a grain's backlog stops with its silo; the silos ask for a sweep when they start, when a silo
/// is declared dead and when storage comes back, and requests that arrive while a sweep runs make one more.
/// </summary>
[Alias("Herald.ISweepGrain")]
public interface ISweepGrain : IGrainWithIntegerKey
{
    [OneWay]
    [Alias("Request")]
    Task RequestAsync(string reason);
}
