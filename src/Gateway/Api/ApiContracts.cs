using Herald.Contracts;

namespace Herald.Gateway.Api;

// Request bodies use nullable members so that a missing field is told apart from a wrong one.

public sealed record PushRequest(string? Message, string? Topic, bool? Wait);

public sealed record PushResponse(
    string Status,
    string Message,
    string Timestamp,
    int WebhooksNotified,
    int TotalWebhooks,
    int Clients,
    long Id,
    string Topic);

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
