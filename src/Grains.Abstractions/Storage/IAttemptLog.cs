using Herald.Contracts;

namespace Herald.Storage;

/// <summary>Every delivery attempt, kept per endpoint within the configured retention.</summary>
public interface IAttemptLog
{
    ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>The newest attempts first, and how many are retained for the endpoint.</summary>
    ValueTask<(IReadOnlyList<DeliveryAttempt> Attempts, int Total)> ListAsync(string endpointId, int limit, CancellationToken cancellationToken = default);

    ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Attempts recorded, by outcome: running totals that only grow while the processes live, so that two
    /// readings give a rate. In a cluster they count the attempts of every silo.
    /// </summary>
    ValueTask<AttemptTotals> ReadTotalsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Running totals of delivery attempts: those that succeeded, and those that did not (any other outcome).</summary>
public readonly record struct AttemptTotals(long Succeeded, long Failed);
