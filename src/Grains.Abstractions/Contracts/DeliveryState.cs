namespace Herald.Contracts;

/// <summary>
/// A webhook grain's persisted state: its cursor into the log, its retry schedule and its counters. Stored through
/// Orleans grain storage with Herald's versioned JSON serializer, so its shape can change without losing cursors;
/// the grain also hands it out live (<c>IWebhookGrain.GetStateAsync</c>).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.DeliveryState")]
public sealed record DeliveryState
{
    /// <summary>The state's name in grain storage (the storage table's type column).</summary>
    public const string StateName = "delivery";

    /// <summary>The grain storage provider webhook grains use.</summary>
    public const string StorageName = "webhooks";

    /// <summary>The last log sequence this endpoint is done with.</summary>
    [Id(0)]
    public long Cursor { get; init; }

    /// <summary>The message being retried, if any, and how many attempts it has had.</summary>
    [Id(1)]
    public long? PendingSeq { get; init; }

    [Id(2)]
    public int PendingAttempts { get; init; }

    [Id(3)]
    public DateTimeOffset? NextAttemptAt { get; init; }

    [Id(4)]
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the current run of failures began; drives auto-disable.</summary>
    [Id(5)]
    public DateTimeOffset? FailingSince { get; init; }

    [Id(6)]
    public DeliveryAttempt? LastAttempt { get; init; }

    [Id(7)]
    public long Delivered { get; init; }

    [Id(8)]
    public long Failed { get; init; }

    [Id(9)]
    public long SkippedByRetention { get; init; }

    /// <summary>
    /// False while the grain has unread log behind its cursor (disabled, or backlogged by retries). A retention
    /// gap met then may have held messages for this endpoint, so it is counted; an idle grain that is woken for
    /// every matching message can only have skipped other topics.
    /// </summary>
    [Id(10)]
    public bool CaughtUp { get; init; } = true;

    /// <summary>
    /// True in every write an activation makes while it delivers; its last write, at a clean deactivation, is false.
    /// Found true by a new activation, the previous one ended without writing its latest progress (its silo died),
    /// and the attempt log tells how far it got.
    /// </summary>
    [Id(11)]
    public bool Open { get; init; }

    /// <summary>When a replay or enable last moved the cursor: attempts made before it say nothing about the cursor now.</summary>
    [Id(12)]
    public DateTimeOffset? RebasedAt { get; init; }

    public static DeliveryState Initial(EndpointDefinition endpoint) => new() { Cursor = endpoint.StartAfterSeq };

    /// <summary>
    /// The state once <paramref name="attempt"/> is made: the one transition live delivery and crash recovery share,
    /// so that replaying the attempt log onto a stored state ends where the activation that made them was.
    /// </summary>
    public DeliveryState After(DeliveryAttempt attempt) => attempt.Outcome switch
    {
        AttemptOutcome.Succeeded => this with
        {
            Cursor = Math.Max(Cursor, attempt.MessageId),
            PendingSeq = null,
            PendingAttempts = 0,
            NextAttemptAt = null,
            ConsecutiveFailures = 0,
            FailingSince = null,
            Delivered = Delivered + 1,
            LastAttempt = attempt,
        },
        AttemptOutcome.Failed => Failing(attempt) with
        {
            Cursor = Math.Max(Cursor, attempt.MessageId),
            PendingSeq = null,
            PendingAttempts = 0,
            NextAttemptAt = null,
            Failed = Failed + 1,
        },

        // Retrying, or disabled (the registry holds the endpoint's disabled state): the message is still pending.
        _ => Failing(attempt) with
        {
            PendingSeq = attempt.MessageId,
            PendingAttempts = attempt.Attempt,
            NextAttemptAt = attempt.NextRetryAt,
        },
    };

    private DeliveryState Failing(DeliveryAttempt attempt) => this with
    {
        ConsecutiveFailures = ConsecutiveFailures + 1,
        FailingSince = FailingSince ?? attempt.Timestamp,
        CaughtUp = false,
        LastAttempt = attempt,
    };
}
