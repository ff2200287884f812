using Herald.Contracts;

namespace Herald.Storage;

/// <summary>Inbound events: stored once per source and delivery id, appended to the log in the same step.</summary>
public interface IInboundEventStore
{
    /// <summary>
    /// Stores the event and appends it to the log, atomically, unless this source already has the delivery id:
    /// then the stored event comes back with <c>Created</c> false. Safe against concurrent duplicates.
    /// </summary>
    ValueTask<(InboundEvent Event, bool Created)> AppendAsync(InboundEventDraft draft, CancellationToken cancellationToken = default);

    ValueTask<InboundEvent?> GetAsync(long id, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<InboundEvent>> QueryAsync(InboundQuery query, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<InboundSourceStats>> SourcesAsync(CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<InboundTypeCount>> CountsAsync(string? source, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Retention: keeps at most <paramref name="maxEvents"/> of the source's newest events, none older than <paramref name="olderThan"/>.</summary>
    ValueTask<long> PruneAsync(string source, int maxEvents, DateTimeOffset olderThan, CancellationToken cancellationToken = default);
}
