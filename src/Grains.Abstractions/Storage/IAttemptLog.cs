using Herald.Contracts;

namespace Herald.Storage;

/// <summary>Every delivery attempt, kept per endpoint within the configured retention.</summary>
public interface IAttemptLog
{
    ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>The newest attempts first, and how many are retained for the endpoint.</summary>
    ValueTask<(IReadOnlyList<DeliveryAttempt> Attempts, int Total)> ListAsync(string endpointId, int limit, CancellationToken cancellationToken = default);

    ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default);
}

/// <summary>Running totals of delivery attempts: those that succeeded, and those that did not (any other outcome).</summary>
public readonly record struct AttemptTotals(long Succeeded, long Failed);
