namespace Herald.Contracts;

/// <summary>
/// What the log still holds: entries <see cref="FirstRetained"/> through <see cref="Head"/>. When the log is
/// empty, <see cref="FirstRetained"/> is <see cref="Head"/> + 1.
/// </summary>
public readonly record struct LogBounds(long FirstRetained, long Head);
