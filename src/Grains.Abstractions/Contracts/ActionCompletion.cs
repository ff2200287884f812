namespace Herald.Contracts;

/// <summary>
/// That the action <see cref="Action"/> derived from inbound event <see cref="EventId"/> was done: by whom, with
/// what details, and when. Recorded once; completing again finds this record.
/// </summary>
public sealed record ActionCompletion(long EventId, string Action, string CompletedBy, string? Details, DateTimeOffset CompletedAt);
