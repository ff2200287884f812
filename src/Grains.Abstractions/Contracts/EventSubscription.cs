namespace Herald.Contracts;

/// <summary>
/// A named, durable interest in inbound events: the sources it covers (all of them when empty) and the cursor up
/// to which its waits have returned everything, so a caller that forgets its own cursor misses nothing.
/// </summary>
public sealed record EventSubscription(
    string Name, IReadOnlyList<string> Sources, string? Description, long Cursor, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
