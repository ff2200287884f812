using System.Text.Json.Serialization;

namespace Herald.Contracts;

/// <summary>A registered webhook endpoint as the registry stores it.</summary>
public sealed record EndpointDefinition
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    private readonly IReadOnlyList<string> _topics = [];

    /// <summary>Topic patterns; none means every topic outside <c>inbound.</c>.</summary>
    public IReadOnlyList<string> Topics
    {
        get => _topics;
        init
        {
            // Computed here, not cached lazily, so a copy made with `with { Topics = … }` gets its own filter.
            _topics = value;
            Filter = TopicFilter.From(value);
        }
    }

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

    /// <summary>Its place in registration order, assigned by the registry; lists and pages go by it.</summary>
    public long Ordinal { get; init; }

    [JsonIgnore]
    public TopicFilter Filter { get; private init; } = TopicFilter.AllButInbound;
}
