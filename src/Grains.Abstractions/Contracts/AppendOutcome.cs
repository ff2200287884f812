namespace Herald.Contracts;

/// <summary>An idempotent append: the entry, and whether its key was in the log already (so nothing was appended).</summary>
public readonly record struct AppendOutcome(LogEntry Entry, bool Duplicate);
