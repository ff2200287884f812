namespace Herald.Contracts;

/// <summary>A message to append and fan out. With <see cref="Wait"/>, the push waits for first attempts.</summary>
public sealed record PushCommand(string Topic, string Message, bool Wait);

/// <summary>What a push did: where it sits in the log and how its first attempts went.</summary>
public sealed record PushReceipt(long Seq, string Topic, DateTimeOffset Timestamp, int TotalWebhooks, int WebhooksNotified);
