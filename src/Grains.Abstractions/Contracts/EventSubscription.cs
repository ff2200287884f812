namespace Herald.Contracts;

/// <summary>
/// A named, durable interest in inbound events: the sources it covers (all of them when empty) and the cursor up
/// to which its waits have returned everything, so a caller that forgets its own cursor misses nothing. It belongs
/// to <see cref="Owner"/>, the API key that made it (empty on a hub with no keys, whose callers share one owner); the
/// name is unique per owner.
/// </summary>
public sealed record EventSubscription(
    string Name, IReadOnlyList<string> Sources, string? Description, long Cursor, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Owner = "");
