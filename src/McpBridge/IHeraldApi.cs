using System.Net;
using System.Text.Json;

namespace Herald.McpBridge;

/// <summary>
/// Herald's operations as the tools use them, each answered with the HTTP API's JSON for it: over HTTP
/// (<see cref="RestHeraldApi"/>), or as an Orleans client calling the grains when the bridge is configured for a
/// cluster (<see cref="OrleansHeraldApi"/>). Failures are <see cref="ModelContextProtocol.McpException"/>s a model
/// can act on; the <c>Try…</c> operations give a 4xx back as its status and body instead.
/// </summary>
public interface IHeraldApi
{
    /// <summary>Pushes a message; <paramref name="host"/> or <paramref name="port"/> name another gateway to push through.</summary>
    Task<PushAnswer> PushAsync(string message, string? topic, bool wait, string? host, int? port, CancellationToken cancellationToken);

    /// <summary>Publishes a JSON object on a channel (a topic) without waiting for deliveries.</summary>
    Task<PushAnswer> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken);

    Task<JsonElement> ChannelStatsAsync(int hours, CancellationToken cancellationToken);

    Task<JsonElement> RecentMessagesAsync(string? channel, int limit, CancellationToken cancellationToken);

    Task<(HttpStatusCode Status, JsonElement Body)> TryCreateEndpointAsync(string url, string[]? topics, string? secret, CancellationToken cancellationToken);

    Task<(HttpStatusCode Status, JsonElement Body)> TryDeleteEndpointAsync(string id, CancellationToken cancellationToken);

    Task<(HttpStatusCode Status, JsonElement Body)> TryUnregisterAsync(string url, CancellationToken cancellationToken);

    Task<JsonElement> ListEndpointsAsync(int limit, string? after, string? url, CancellationToken cancellationToken);

    Task<JsonElement> GetEndpointAsync(string id, CancellationToken cancellationToken);

    Task<JsonElement> ListAttemptsAsync(string id, int limit, CancellationToken cancellationToken);

    Task<JsonElement> ListEventsAsync(int limit, string? source, string? type, string? since, CancellationToken cancellationToken);

    Task<JsonElement> GetEventAsync(long id, CancellationToken cancellationToken);

    Task<JsonElement> EventSourcesAsync(CancellationToken cancellationToken);

    Task<JsonElement> EventSummaryAsync(int hours, string? source, CancellationToken cancellationToken);

    Task<JsonElement> GitHubActivityAsync(string repo, int hours, CancellationToken cancellationToken);

    Task<JsonElement> TrackedReposAsync(CancellationToken cancellationToken);

    Task<JsonElement> RecentPushesAsync(string? repo, int limit, CancellationToken cancellationToken);

    Task<JsonElement> RecentDeploymentsAsync(string? project, int limit, CancellationToken cancellationToken);

    Task<JsonElement> DeploymentStatusAsync(string project, int hours, CancellationToken cancellationToken);

    Task<JsonElement> CorrelatePushToDeploymentAsync(string commitSha, CancellationToken cancellationToken);

    /// <summary>
    /// The next matching inbound event after <paramref name="after"/> (null: from now), or a timeout with the cursor
    /// to go on from; with <paramref name="subscription"/>, the next one after that subscription's own cursor.
    /// </summary>
    Task<JsonElement> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int seconds, CancellationToken cancellationToken);

    Task<JsonElement> ListActionsAsync(string status, string? type, int limit, CancellationToken cancellationToken);

    Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionAsync(string id, string? details, string? completedBy, CancellationToken cancellationToken);

    Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionOfTypeAsync(string actionType, string? details, string? completedBy, CancellationToken cancellationToken);

    Task<JsonElement> StripeEventsAsync(int limit, CancellationToken cancellationToken);

    Task<JsonElement> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description, CancellationToken cancellationToken);

    Task<JsonElement> ListSubscriptionsAsync(CancellationToken cancellationToken);

    Task<(HttpStatusCode Status, JsonElement Body)> TryUnsubscribeAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A push's answer (the HTTP API's JSON), the Herald it went through, and whether this call started that Herald.</summary>
public sealed record PushAnswer(JsonElement Body, string Herald, bool StartedHerald);

public static class HeraldApiExtensions
{
    public static T As<T>(this JsonElement json) => json.Deserialize<T>(GatewayClient.Json)!;
}
