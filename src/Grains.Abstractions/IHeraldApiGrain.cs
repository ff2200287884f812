using System.Text.Json;
using Herald.Contracts;

namespace Herald;

/// <summary>
/// Herald's operations for Orleans clients (the MCP bridge configured for a cluster): the same checks, stores and
/// use cases as the HTTP API behind each method, so a tool behaves alike over either. Each answer is the use case's
/// typed <see cref="Outcome{T}"/>, whose error is what REST answers as problem JSON: no JSON crosses Orleans but the
/// documents Herald stores as it received them. A reentrant stateless worker on the processes that run the HTTP API,
/// so one long wait does not hold up other calls.
/// </summary>
[Alias("Herald.IHeraldApiGrain")]
public interface IHeraldApiGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Pushes a message, a JSON object (<paramref name="data"/>), or both. With
    /// <paramref name="outcomes"/> (an observer the caller created) the webhook grains report their first attempts to
    /// the caller, which waits for them itself: a grain cannot hold an observer of its own.
    /// </summary>
    [Alias("Push")]
    Task<Outcome<PushTaken>> PushAsync(string? message, string? topic, IFirstAttemptObserver? outcomes, JsonElement? data);

    [Alias("CreateEndpoint")]
    Task<Outcome<EndpointStatus>> CreateEndpointAsync(string url, IReadOnlyList<string>? topics, string? secret);

    [Alias("DeleteEndpoint")]
    Task<Outcome<string>> DeleteEndpointAsync(string id);

    [Alias("Unregister")]
    Task<Outcome<WebhookUrlResponse>> UnregisterAsync(string url);

    [Alias("ListEndpoints")]
    Task<Outcome<EndpointListResponse>> ListEndpointsAsync(int limit, string? after, string? url);

    [Alias("GetEndpoint")]
    Task<Outcome<EndpointStatus>> GetEndpointAsync(string id);

    [Alias("ListAttempts")]
    Task<Outcome<AttemptListResponse>> ListAttemptsAsync(string id, int limit);

    [Alias("ListEvents")]
    Task<Outcome<EventListResponse>> ListEventsAsync(int limit, string? source, string? type, string? since);

    [Alias("GetEvent")]
    Task<Outcome<EventResponse>> GetEventAsync(long id);

    [Alias("EventSources")]
    Task<Outcome<SourceListResponse>> EventSourcesAsync();

    [Alias("EventSummary")]
    Task<Outcome<SummaryResponse>> EventSummaryAsync(int hours, string? source);

    [Alias("GitHubActivity")]
    Task<Outcome<GitHubActivity>> GitHubActivityAsync(string repo, int hours);

    [Alias("TrackedRepos")]
    Task<Outcome<TrackedReposResponse>> TrackedReposAsync();

    [Alias("RecentPushes")]
    Task<Outcome<PushListResponse>> RecentPushesAsync(string? repo, int limit);

    [Alias("RecentDeployments")]
    Task<Outcome<DeploymentListResponse>> RecentDeploymentsAsync(string? project, int limit);

    [Alias("DeploymentStatus")]
    Task<Outcome<DeploymentStatusResponse>> DeploymentStatusAsync(string project, int hours);

    [Alias("CorrelatePushToDeployment")]
    Task<Outcome<CorrelationResponse>> CorrelatePushToDeploymentAsync(string commitSha);

    /// <summary>
    /// Waits up to <paramref name="timeoutSeconds"/> for the next matching inbound event. Callers keep each wait
    /// shorter than the client's response timeout and loop on the returned cursor.
    /// </summary>
    [Alias("WaitForEvent")]
    Task<Outcome<WaitResponse>> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int timeoutSeconds, CancellationToken cancellationToken);

    [Alias("ListActions")]
    Task<Outcome<ActionListResponse>> ListActionsAsync(string status, string? type, int limit);

    [Alias("CompleteAction")]
    Task<Outcome<CompletionResponse>> CompleteActionAsync(string id, string? details, string? completedBy);

    [Alias("CompleteActionOfType")]
    Task<Outcome<CompletionResponse>> CompleteActionOfTypeAsync(string actionType, string? details, string? completedBy);

    [Alias("StripeEvents")]
    Task<Outcome<StripeEventListResponse>> StripeEventsAsync(int limit);

    [Alias("Subscribe")]
    Task<Outcome<Subscribed>> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description);

    [Alias("ListSubscriptions")]
    Task<Outcome<SubscriptionListResponse>> ListSubscriptionsAsync();

    [Alias("Unsubscribe")]
    Task<Outcome<string>> UnsubscribeAsync(string name);

    [Alias("ChannelStats")]
    Task<Outcome<ChannelStatsResponse>> ChannelStatsAsync(int hours);

    [Alias("RecentMessages")]
    Task<Outcome<ChannelMessagesResponse>> RecentMessagesAsync(string? channel, int limit);
}
