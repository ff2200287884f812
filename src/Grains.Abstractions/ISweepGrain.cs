using Orleans.Concurrency;
namespace Herald;

/// <summary>
/// One per cluster. Wakes every endpoint that still has messages to deliver. One-way wakes are lost with a silo
/// that dies, and a grain's backlog stops with its silo; the silos ask for a sweep when they start, when a silo
/// joins, leaves or dies and when storage comes back, and on a timer; requests that arrive while a sweep runs make one more.
/// </summary>
[Alias("Herald.ISweepGrain")]
public interface ISweepGrain : IGrainWithIntegerKey
{
    [OneWay]
    [Alias("Request")]
    Task RequestAsync(string reason);

    /// <summary>
    /// Each silo's timer: sweeps unless a sweep finished less than <paramref name="interval"/> ago, so the cluster
    /// sweeps about once an interval however many silos ask. The net under every other trigger.
    /// </summary>
    [OneWay]
    [Alias("Tick")]
    Task TickAsync(TimeSpan interval);
}
