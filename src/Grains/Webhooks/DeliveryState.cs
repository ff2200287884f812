using Herald.Contracts;

namespace Herald.Grains.Webhooks;

/// <summary>A webhook grain's persisted state: its cursor into the log, its retry schedule and its counters.</summary>
public sealed record DeliveryState
{
    public const string GrainType = "webhook";

    /// <summary>The last log sequence this endpoint is done with.</summary>
    public long Cursor { get; init; }

    /// <summary>The message being retried, if any, and how many attempts it has had.</summary>
    public long? PendingSeq { get; init; }

    public int PendingAttempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public int ConsecutiveFailures { get; init; }

    /// <summary>When the current run of failures began; drives auto-disable.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    public DeliveryAttempt? LastAttempt { get; init; }

    public long Delivered { get; init; }

    public long Failed { get; init; }

    public long SkippedByRetention { get; init; }

    /// <summary>
    /// False while the grain has unread log behind its cursor (disabled, or backlogged by retries). A retention
    /// gap met then may have held messages for this endpoint, so it is counted; an idle grain that is woken for
    /// every matching message can only have skipped other topics.
    /// </summary>
    public bool CaughtUp { get; init; } = true;

    public static DeliveryState Initial(EndpointDefinition endpoint) => new() { Cursor = endpoint.StartAfterSeq };
}
