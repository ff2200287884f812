namespace Herald.Contracts;

/// <summary>
/// A message to append and fan out. With <see cref="Wait"/>, the push waits for first attempts. The
/// <see cref="IdempotencyKey"/> makes the append happen once however often the push is retried.
/// </summary>
public sealed record PushCommand(string Topic, string Message, bool Wait, string? IdempotencyKey = null);

/// <summary>
/// What a push did: where it sits in the log and how its first attempts went. <see cref="Duplicate"/>: the
/// idempotency key was in the log already, and this is that entry (its topic and message may differ from the
/// command's). <see cref="Unconfirmed"/>: the message is committed, but what followed (counting its subscribers,
/// waiting for first attempts) failed, and says why; delivery goes on regardless.
/// </summary>
public sealed record PushReceipt(
    long Seq, string Topic, DateTimeOffset Timestamp, int TotalWebhooks, int WebhooksNotified,
    bool Duplicate = false, string? Message = null, string? Unconfirmed = null);
