
namespace Herald.Contracts;

/// <summary>A page of endpoints; <c>next</c> is the <c>after</c> of the following page, null on the last.</summary>
[GenerateSerializer, Immutable, Alias("Herald.EndpointListResponse")]
public sealed record EndpointListResponse(IReadOnlyList<EndpointStatus> Endpoints, int Total, string? Next);

[GenerateSerializer, Immutable, Alias("Herald.AttemptListResponse")]
public sealed record AttemptListResponse(IReadOnlyList<DeliveryAttempt> Attempts, int Total);

/// <summary>WebhookMCP's answer to registering or unregistering a URL.</summary>
[GenerateSerializer, Immutable, Alias("Herald.WebhookUrlResponse")]
public sealed record WebhookUrlResponse(string Status, string WebhookUrl, int TotalWebhooks);

[GenerateSerializer, Immutable, Alias("Herald.WebhookListResponse")]
public sealed record WebhookListResponse(IReadOnlyList<string> Webhooks, int Total);
