namespace Herald.Contracts;

/// <summary>
/// A webhook Herald received from outside, verified and stored. Its id is its sequence in the log, where it sits
/// under topic <c>inbound.&lt;source&gt;</c>.
/// </summary>
public sealed record InboundEvent(
    long Id,
    string Source,
    string? Type,
    string DeliveryId,
    DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, string> Headers,
    string Payload,
    string Summary);

/// <summary>An inbound event to store: <see cref="Message"/> is the one-line text the log (and SSE) carries.</summary>
public sealed record InboundEventDraft(
    string Source,
    string? Type,
    string DeliveryId,
    IReadOnlyDictionary<string, string> Headers,
    string Payload,
    string Summary,
    string Message);

/// <summary>
/// Which events to return, oldest first: after a cursor (an id) or since a time; with <see cref="Newest"/>, the
/// last <see cref="Limit"/> matching events instead of the first. <see cref="Sources"/> narrows to any of several
/// sources (beside <see cref="Source"/>, which names one), and <see cref="BeforeId"/> pages backwards.
/// </summary>
public sealed record InboundQuery(
    string? Source, string? Type, long? AfterId, DateTimeOffset? Since, int Limit, bool Newest = false,
    IReadOnlyList<string>? Sources = null, long? BeforeId = null);

public sealed record InboundSourceStats(string Source, long Count, DateTimeOffset LastSeen);

public sealed record InboundTypeCount(string Source, string? Type, long Count);
