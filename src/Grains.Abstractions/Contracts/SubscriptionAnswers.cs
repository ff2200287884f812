
namespace Herald.Contracts;

/// <summary>
/// A subscription; <see cref="Instruction"/> tells an assistant how to use it. <see cref="Owner"/> is the name of the
/// key that made it (null on a hub without keys).
/// </summary>
[GenerateSerializer, Immutable, Alias("Herald.SubscriptionResponse")]
public sealed record SubscriptionResponse(
    string Name, IReadOnlyList<string> Sources, string? CallbackDescription, long Cursor, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Instruction,
    string? Owner)
{
    public static SubscriptionResponse From(EventSubscription s) => new(
        s.Name, s.Sources, s.Description, s.Cursor, s.CreatedAt, s.UpdatedAt,
        $"Call wait_for_event(subscription=\"{s.Name}\") to get the next event from {(s.Sources.Count == 0 ? "any source" : string.Join(", ", s.Sources))}; " +
        "Herald keeps the cursor, so nothing is missed between calls." + (s.Description is null ? string.Empty : $" {s.Description}"),
        s.Owner.Length == 0 ? null : s.Owner);
}

[GenerateSerializer, Immutable, Alias("Herald.SubscriptionListResponse")]
public sealed record SubscriptionListResponse(IReadOnlyList<SubscriptionResponse> Subscriptions);

/// <summary>A subscription as a subscribe left it, and whether the call created it (or updated one of that name).</summary>
[GenerateSerializer, Immutable, Alias("Herald.Subscribed")]
public sealed record Subscribed(SubscriptionResponse Subscription, bool Created);
