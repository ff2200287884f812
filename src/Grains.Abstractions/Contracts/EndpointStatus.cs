using System.Text.Json.Serialization;

namespace Herald.Contracts;

/// <summary>An endpoint with its delivery state, as the API shows it. Never carries the secret.</summary>
public sealed record EndpointStatus
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> Topics { get; init; }

    public required bool HasSecret { get; init; }

    /// <summary>The custom headers sent with each delivery, their values masked (<see cref="Masked"/>): they are often receivers' credentials.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public string? Description { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required bool Enabled { get; init; }

    public string? DisabledReason { get; init; }

    public DateTimeOffset? DisabledAt { get; init; }

    /// <summary>The last log sequence this endpoint is done with (delivered, failed or not subscribed).</summary>
    public required long Cursor { get; init; }

    /// <summary>Messages for this endpoint in the log after its cursor.</summary>
    public required long Lag { get; init; }

    public required int ConsecutiveFailures { get; init; }

    public DateTimeOffset? NextRetryAt { get; init; }

    public required long Delivered { get; init; }

    public required long Failed { get; init; }

    /// <summary>Messages pruned by retention before this endpoint could get them (it was disabled or far behind).</summary>
    public long SkippedByRetention { get; init; }

    public DeliveryAttempt? LastAttempt { get; init; }

    /// <summary>Set only on the response that created the endpoint: the one time the secret is shown.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    /// <summary>
    /// Header values as they are shown back, anywhere: write-only, like the secret. A value of 12 characters or more
    /// keeps its last 4, so a person can tell which credential is set; a shorter one shows nothing of itself.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Masked(IReadOnlyDictionary<string, string> headers) =>
        headers.ToDictionary(h => h.Key, h => h.Value.Length >= 12 ? "****" + h.Value[^4..] : "****", StringComparer.OrdinalIgnoreCase);
}
