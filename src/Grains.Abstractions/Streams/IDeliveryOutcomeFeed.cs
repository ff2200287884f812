namespace Herald.Streams;

/// <summary>
/// Carries first-attempt outcomes from webhook grains to a push that waits for them. In embedded mode it is an
/// in-process table; a cluster provider carries it between processes.
/// </summary>
public interface IDeliveryOutcomeFeed
{
    /// <summary>
    /// Starts collecting first-attempt outcomes of <paramref name="seq"/> from <paramref name="endpointIds"/>; each
    /// endpoint counts once, and reports from others are ignored. Dispose the watch when done.
    /// </summary>
    IOutcomeWatch Watch(long seq, IReadOnlyCollection<string> endpointIds);

    void ReportFirstAttempt(long seq, string endpointId, bool succeeded);
}

public interface IOutcomeWatch : IDisposable
{
    /// <summary>Completes with the number of successes once every expected outcome is in, or at the deadline with what is in by then.</summary>
    Task<int> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
