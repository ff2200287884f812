namespace Herald.Gateway.Stats;

/// <summary>
/// One sample interval, ending at <paramref name="At"/> and lasting <paramref name="Seconds"/>: what happened in it
/// (messages appended to the log, attempts that succeeded, attempts that failed) and the same as rates per second.
/// </summary>
public sealed record RateSample(
    DateTimeOffset At, double Seconds, long Pushes, long Deliveries, long Failures,
    double PushesPerSecond, double DeliveriesPerSecond, double FailuresPerSecond);
