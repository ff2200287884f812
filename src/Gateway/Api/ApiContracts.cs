using System.Text.Json;

namespace Herald.Gateway.Api;

// Request bodies use nullable members so that a missing field is told apart from a wrong one.

/// <summary>A push: a message, a JSON object as <c>data</c>, or both (a data-only push's message is the object as JSON text).</summary>
public sealed record PushRequest(string? Message, string? Topic, bool? Wait, JsonElement? Data = null);

public sealed record WebhookUrlRequest(string? WebhookUrl);

public sealed record CreateEndpointRequest(
    string? Url,
    IReadOnlyList<string?>? Topics,
    string? Secret,
    Dictionary<string, string?>? Headers,
    string? Description);

public sealed record ReplayApiRequest(long? FromId, DateTimeOffset? Since);

public sealed record DisconnectResponse(int Disconnected);
