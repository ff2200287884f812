using Herald.Contracts;
using Herald.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>Counts each attempt by outcome (<see cref="AttemptCounter"/>) as it goes into whichever attempt log the storage has.</summary>
internal sealed class CountingAttemptLog(IAttemptLog log, AttemptCounter counter) : IAttemptLog
{
    public ValueTask AppendAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        counter.Record(attempt.Outcome);
        return log.AppendAsync(attempt, cancellationToken);
    }

    public ValueTask<(IReadOnlyList<DeliveryAttempt> Attempts, int Total)> ListAsync(string endpointId, int limit, CancellationToken cancellationToken = default) =>
        log.ListAsync(endpointId, limit, cancellationToken);

    public ValueTask RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default) =>
        log.RemoveEndpointAsync(endpointId, cancellationToken);
}
