using System.Text.Json.Serialization;

namespace Herald.Contracts;

/// <summary>
/// WebhookMCP's push answer plus the entry's id and topic. <c>duplicate</c> (only when true): the idempotency key
/// was used before, and this is the message that push appended. <c>warning</c> (only when set): the message is
/// committed, but something after the append failed; the counts are then not known.
/// </summary>
[GenerateSerializer, Immutable, Alias("Herald.PushResponse")]
public sealed record PushResponse(
    string Status,
    string Message,
    string Timestamp,
    int WebhooksNotified,
    int TotalWebhooks,
    int Clients,
    long Id,
    string Topic,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Duplicate = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Warning = null);

/// <summary>What a checked push appends: its message, and the compact JSON of its data object when it carried one.</summary>
[GenerateSerializer, Immutable, Alias("Herald.PushContent")]
public sealed record PushContent(string Message, string? Data);

/// <summary>
/// A push taken, as the entry grain answers it: <see cref="Answer"/> without first-attempt counts, and, when the
/// caller waits, the <see cref="Receipt"/> naming the subscribers whose first attempts it waits for, for at most
/// <see cref="WaitLimit"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Herald.PushTaken")]
public sealed record PushTaken(PushResponse Answer, PushReceipt? Receipt, TimeSpan WaitLimit);
