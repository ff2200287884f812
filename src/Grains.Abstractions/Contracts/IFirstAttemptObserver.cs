using Orleans.Concurrency;

namespace Herald.Contracts;

/// <summary>Hears first-attempt outcomes for a push that waits for them.</summary>
[Alias("Herald.IFirstAttemptObserver")]
public interface IFirstAttemptObserver : IGrainObserver
{
    [OneWay]
    [Alias("FirstAttempt")]
    Task FirstAttemptAsync(long seq, string endpointId, bool succeeded);
}
