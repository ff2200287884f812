using System.Text;
using System.Text.Json.Serialization;

namespace Herald.Contracts;

/// <summary>
/// An endpoint with its delivery state, as the API shows it. Carries the secret only in the answer that created the
/// endpoint, and never prints it: Orleans traces grain answers with <see cref="object.ToString"/>.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.EndpointStatus")]
public sealed record EndpointStatus
{
    [Id(0)]
    public required string Id { get; init; }

    [Id(1)]
    public required string Url { get; init; }

    [Id(2)]
    public required IReadOnlyList<string> Topics { get; init; }

    [Id(3)]
    public required bool HasSecret { get; init; }

    /// <summary>The custom headers sent with each delivery, their values masked (<see cref="Masked"/>): they are often receivers' credentials.</summary>
    [Id(4)]
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    [Id(5)]
    public string? Description { get; init; }

    [Id(6)]
    public required DateTimeOffset CreatedAt { get; init; }

    [Id(7)]
    public required bool Enabled { get; init; }

    [Id(8)]
    public string? DisabledReason { get; init; }

    [Id(9)]
    public DateTimeOffset? DisabledAt { get; init; }

    /// <summary>The last log sequence this endpoint is done with (delivered, failed or not subscribed).</summary>
    [Id(10)]
    public required long Cursor { get; init; }

    /// <summary>Messages for this endpoint in the log after its cursor.</summary>
    [Id(11)]
    public required long Lag { get; init; }

    [Id(12)]
    public required int ConsecutiveFailures { get; init; }

    [Id(13)]
    public DateTimeOffset? NextRetryAt { get; init; }

    [Id(14)]
    public required long Delivered { get; init; }

    [Id(15)]
    public required long Failed { get; init; }

    /// <summary>Messages pruned by retention before this endpoint could get them (it was disabled or far behind).</summary>
    [Id(16)]
    public long SkippedByRetention { get; init; }

    [Id(17)]
    public DeliveryAttempt? LastAttempt { get; init; }

    /// <summary>Set only on the response that created the endpoint: the one time the secret is shown.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [Id(18)]
    public string? Secret { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Enabled = ").Append(Enabled).Append(", Cursor = ").Append(Cursor).Append(", Lag = ").Append(Lag);
        return true;
    }

    /// <summary>
    /// Header values as they are shown back, anywhere: write-only, like the secret. A value of 12 characters or more
    /// keeps its last 4, so a person can tell which credential is set; a shorter one shows nothing of itself.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Masked(IReadOnlyDictionary<string, string> headers) =>
        headers.ToDictionary(h => h.Key, h => h.Value.Length >= 12 ? "****" + h.Value[^4..] : "****", StringComparer.OrdinalIgnoreCase);
}
