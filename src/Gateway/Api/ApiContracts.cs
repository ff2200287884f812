using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Contracts;

namespace Herald.Gateway.Api;

// Request bodies use nullable members so that a missing field is told apart from a wrong one.

/// <summary>A push: a message, a JSON object as <c>data</c>, or both (a data-only push's message is the object as JSON text).</summary>
public sealed record PushRequest(string? Message, string? Topic, bool? Wait, JsonElement? Data = null);

/// <summary>
/// WebhookMCP's push answer plus the entry's id and topic. <c>duplicate</c> (only when true): the idempotency key
/// was used before, and this is the message that push appended. <c>warning</c> (only when set): the message is
/// committed, but something after the append failed; the counts are then not known.
/// </summary>
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

public sealed record WebhookUrlRequest(string? WebhookUrl);

public sealed record WebhookUrlResponse(string Status, string WebhookUrl, int TotalWebhooks);

public sealed record WebhookListResponse(IReadOnlyList<string> Webhooks, int Total);

public sealed record CreateEndpointRequest(
    string? Url,
    IReadOnlyList<string?>? Topics,
    string? Secret,
    Dictionary<string, string?>? Headers,
    string? Description);

/// <summary>A page of endpoints; <c>next</c> is the <c>after</c> of the following page, null on the last.</summary>
public sealed record EndpointListResponse(IReadOnlyList<EndpointStatus> Endpoints, int Total, string? Next);

public sealed record AttemptListResponse(IReadOnlyList<DeliveryAttempt> Attempts, int Total);

public sealed record ReplayApiRequest(long? FromId, DateTimeOffset? Since);

public sealed record DisconnectResponse(int Disconnected);
