namespace Herald.Contracts;

/// <summary>A registered webhook endpoint as the registry stores it.</summary>
public sealed record EndpointDefinition
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>A Standard Webhooks secret (<c>whsec_</c> + base64), or null for unsigned delivery.</summary>
    public string? Secret { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public string? Description { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The log head when the endpoint was created: it receives what is appended after this.</summary>
    public long StartAfterSeq { get; init; }

    public bool Enabled { get; init; } = true;

    public string? DisabledReason { get; init; }

    public DateTimeOffset? DisabledAt { get; init; }

    public TopicFilter Filter => _filter ??= TopicFilter.From(Topics);

    private TopicFilter? _filter;
}
