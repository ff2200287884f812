using System.Text.Json;

namespace Herald.Contracts;

/// <summary>An action derived from an inbound event, pending or completed.</summary>
[GenerateSerializer, Immutable, Alias("Herald.ActionView")]
public sealed record ActionView(
    string Id, string Type, string Status, long EventId, string Source, string? EventType, DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, JsonElement?> Fields, DateTimeOffset? CompletedAt, string? CompletedBy, string? Details)
{
    public const string Pending = "pending";
    public const string Completed = "completed";
}
