using Herald.Contracts;
using Herald.Storage;
using Herald.MessageLog;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Embedded inbound events: appended to the log and indexed by source and delivery id under one lock, so a
/// duplicate delivery is found before anything is appended.
/// </summary>
internal sealed class MemoryInboundEventStore(IMessageLog log) : IInboundEventStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<InboundEvent> _events = [];
    private readonly Dictionary<(string Source, string DeliveryId), InboundEvent> _byDelivery = [];

    public async ValueTask<(InboundEvent Event, bool Created)> AppendAsync(InboundEventDraft draft, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_byDelivery.TryGetValue((draft.Source, draft.DeliveryId), out var existing))
                return (existing, false);

            var entry = await log.AppendAsync(TopicFor(draft.Source), draft.Message, draft.Type, draft.Payload, cancellationToken).ConfigureAwait(false);
            var stored = new InboundEvent(entry.Seq, draft.Source, draft.Type, draft.DeliveryId, entry.Timestamp, draft.Headers, draft.Payload, draft.Summary);
            _events.Add(stored);
            _byDelivery[(draft.Source, draft.DeliveryId)] = stored;
            return (stored, true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<InboundEvent?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        await ReadAsync(events => events.FirstOrDefault(e => e.Id == id), cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<InboundEvent>> QueryAsync(InboundQuery query, CancellationToken cancellationToken = default) =>
        await ReadAsync(events =>
        {
            var matching = events.Where(e => (query.Source is null || e.Source == query.Source) && (query.Type is null || e.Type == query.Type)
                                             && (query.AfterId is null || e.Id > query.AfterId) && (query.Since is null || e.ReceivedAt >= query.Since)
                                             && (query.Sources is null || query.Sources.Contains(e.Source)) && (query.BeforeId is null || e.Id < query.BeforeId));
            return (query.Newest ? matching.TakeLast(query.Limit) : matching.Take(query.Limit)).ToArray();
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<InboundSourceStats>> SourcesAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(events => events.GroupBy(e => e.Source).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new InboundSourceStats(g.Key, g.LongCount(), g.Max(e => e.ReceivedAt))).ToArray(), cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<InboundTypeCount>> CountsAsync(string? source, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        await ReadAsync(events => events.Where(e => e.ReceivedAt >= since && (source is null || e.Source == source))
            .GroupBy(e => (e.Source, e.Type)).OrderBy(g => g.Key.Source, StringComparer.Ordinal).ThenBy(g => g.Key.Type, StringComparer.Ordinal)
            .Select(g => new InboundTypeCount(g.Key.Source, g.Key.Type, g.LongCount())).ToArray(), cancellationToken).ConfigureAwait(false);

    public async ValueTask<long> PruneAsync(string source, int maxEvents, DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ofSource = _events.Where(e => e.Source == source).ToList();
            var doomed = ofSource.Take(Math.Max(0, ofSource.Count - maxEvents)).Concat(ofSource.Where(e => e.ReceivedAt < olderThan)).ToHashSet();
            foreach (var old in doomed)
                _byDelivery.Remove((old.Source, old.DeliveryId));
            return _events.RemoveAll(doomed.Contains);
        }
        finally
        {
            _gate.Release();
        }
    }

    internal static string TopicFor(string source) => TopicFilter.InboundPrefix + source;

    private async Task<T> ReadAsync<T>(Func<List<InboundEvent>, T> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return read(_events);
        }
        finally
        {
            _gate.Release();
        }
    }
}
