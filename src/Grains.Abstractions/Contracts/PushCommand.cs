namespace Herald.Contracts;

/// <summary>
/// A message to append and fan out. The <see cref="IdempotencyKey"/> makes the append happen once however often the
/// push is retried. A push that waits for first attempts passes the <see cref="Outcomes"/> observer its subscribers
/// report to. <see cref="Data"/> is the JSON object a push may carry beside its message. <see cref="Retry"/>: the
/// gateway sends the same push again because the first try failed with its outcome unknown; if that try committed,
/// its subscribers may not have been woken, so a duplicate found now is this push's own entry and is fanned out.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.PushCommand")]
public sealed record PushCommand(
    [property: Id(0)] string Topic,
    [property: Id(1)] string Message,
    [property: Id(2)] string? IdempotencyKey = null,
    [property: Id(3)] IFirstAttemptObserver? Outcomes = null,
    [property: Id(4)] string? Data = null,
    [property: Id(5)] bool Retry = false);

/// <summary>
/// What a push did: where it sits in the log and which endpoints were woken for it (the ones a waiting push hears
/// from). <see cref="Duplicate"/>: the idempotency key was in the log already, and this is that entry (its topic and
/// message may differ from the command's); nothing was woken. <see cref="Unconfirmed"/>: the message is committed,
/// but what followed (finding its subscribers) failed, and says why; delivery goes on regardless.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.PushReceipt")]
public sealed record PushReceipt(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Topic,
    [property: Id(2)] DateTimeOffset Timestamp,
    [property: Id(3)] IReadOnlyList<string> Subscribers,
    [property: Id(4)] bool Duplicate = false,
    [property: Id(5)] string? Message = null,
    [property: Id(6)] string? Unconfirmed = null)
{
    /// <summary>A new, confirmed push: its subscribers make first attempts worth waiting for.</summary>
    public bool AwaitsFirstAttempts => !Duplicate && Unconfirmed is null;
}
