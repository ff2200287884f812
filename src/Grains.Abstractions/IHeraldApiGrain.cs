using Herald.Contracts;

namespace Herald;

/// <summary>
/// Herald's operations for Orleans clients (the MCP bridge configured for a cluster): the same checks, stores and
/// grains as the HTTP API behind each method, so a tool behaves alike over either. Each answer is an
/// <see cref="ApiReply"/> holding the HTTP API's status and JSON body for that operation. A reentrant stateless
/// worker on the processes that run the HTTP API, so one long wait does not hold up other calls.
/// </summary>
[Alias("Herald.IHeraldApiGrain")]
public interface IHeraldApiGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Pushes a message, a JSON object (<paramref name="data"/>, as JSON text), or both. With
    /// <paramref name="outcomes"/> (an observer the caller created) the webhook grains report their first attempts to
    /// the caller, which waits for them itself: a grain cannot hold an observer of its own.
    /// </summary>
    [Alias("Push")]
    Task<PushReply> PushAsync(string? message, string? topic, IFirstAttemptObserver? outcomes, string? data);

    [Alias("CreateEndpoint")]
    Task<ApiReply> CreateEndpointAsync(string url, IReadOnlyList<string>? topics, string? secret);

    [Alias("DeleteEndpoint")]
    Task<ApiReply> DeleteEndpointAsync(string id);

    [Alias("Unregister")]
    Task<ApiReply> UnregisterAsync(string url);

    [Alias("ListEndpoints")]
    Task<ApiReply> ListEndpointsAsync(int limit, string? after, string? url);

    [Alias("GetEndpoint")]
    Task<ApiReply> GetEndpointAsync(string id);

    [Alias("ListAttempts")]
    Task<ApiReply> ListAttemptsAsync(string id, int limit);

    [Alias("ListEvents")]
    Task<ApiReply> ListEventsAsync(int limit, string? source, string? type, string? since);

    [Alias("GetEvent")]
    Task<ApiReply> GetEventAsync(long id);

    [Alias("EventSources")]
    Task<ApiReply> EventSourcesAsync();

    [Alias("EventSummary")]
    Task<ApiReply> EventSummaryAsync(int hours, string? source);

    [Alias("GitHubActivity")]
    Task<ApiReply> GitHubActivityAsync(string repo, int hours);

    [Alias("TrackedRepos")]
    Task<ApiReply> TrackedReposAsync();

    [Alias("RecentPushes")]
    Task<ApiReply> RecentPushesAsync(string? repo, int limit);

    [Alias("RecentDeployments")]
    Task<ApiReply> RecentDeploymentsAsync(string? project, int limit);

    [Alias("DeploymentStatus")]
    Task<ApiReply> DeploymentStatusAsync(string project, int hours);

    [Alias("CorrelatePushToDeployment")]
    Task<ApiReply> CorrelatePushToDeploymentAsync(string commitSha);

    /// <summary>
    /// Waits up to <paramref name="timeoutSeconds"/> for the next matching inbound event. Callers keep each wait
    /// shorter than the client's response timeout and loop on the returned cursor.
    /// </summary>
    [Alias("WaitForEvent")]
    Task<ApiReply> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int timeoutSeconds, CancellationToken cancellationToken);

    [Alias("ListActions")]
    Task<ApiReply> ListActionsAsync(string status, string? type, int limit);

    [Alias("CompleteAction")]
    Task<ApiReply> CompleteActionAsync(string id, string? details, string? completedBy);

    [Alias("CompleteActionOfType")]
    Task<ApiReply> CompleteActionOfTypeAsync(string actionType, string? details, string? completedBy);

    [Alias("StripeEvents")]
    Task<ApiReply> StripeEventsAsync(int limit);

    [Alias("Subscribe")]
    Task<ApiReply> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description);

    [Alias("ListSubscriptions")]
    Task<ApiReply> ListSubscriptionsAsync();

    [Alias("Unsubscribe")]
    Task<ApiReply> UnsubscribeAsync(string name);

    [Alias("ChannelStats")]
    Task<ApiReply> ChannelStatsAsync(int hours);

    [Alias("RecentMessages")]
    Task<ApiReply> RecentMessagesAsync(string? channel, int limit);
}
