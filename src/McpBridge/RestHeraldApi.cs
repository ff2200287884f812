using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Herald.McpBridge;

/// <summary>Herald's operations over its HTTP API: for a remote Herald behind an API key, and for an embedded one.</summary>
public sealed class RestHeraldApi(GatewayClient gateway) : IHeraldApi
{
    public async Task<PushAnswer> PushAsync(string message, string? topic, bool wait, string? host, int? port, CancellationToken cancellationToken)
    {
        var target = gateway.Resolve(host, port);
        var pushed = await gateway.PostAsync("/api/push", new { message, topic, wait }, cancellationToken, target);
        return new PushAnswer(pushed, target.GetLeftPart(UriPartial.Authority), gateway.StartedHerald);
    }

    public async Task<PushAnswer> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken)
    {
        var published = await gateway.PostAsync("/api/push", new { topic = channel, data, wait = false }, cancellationToken);
        return new PushAnswer(published, gateway.Resolve(null, null).GetLeftPart(UriPartial.Authority), gateway.StartedHerald);
    }

    public Task<JsonElement> ChannelStatsAsync(int hours, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/channels?hours={Text(hours)}", cancellationToken);

    public Task<JsonElement> RecentMessagesAsync(string? channel, int limit, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/channels/messages?limit={Text(limit)}{Query("channel", channel)}", cancellationToken);

    public Task<(HttpStatusCode Status, JsonElement Body)> TryCreateEndpointAsync(string url, string[]? topics, string? secret, CancellationToken cancellationToken) =>
        gateway.TrySendAsync(HttpMethod.Post, "/api/endpoints", new { url, topics, secret }, cancellationToken);

    public Task<(HttpStatusCode Status, JsonElement Body)> TryDeleteEndpointAsync(string id, CancellationToken cancellationToken) =>
        gateway.TrySendAsync(HttpMethod.Delete, $"/api/endpoints/{Uri.EscapeDataString(id)}", null, cancellationToken);

    public Task<(HttpStatusCode Status, JsonElement Body)> TryUnregisterAsync(string url, CancellationToken cancellationToken) =>
        gateway.TrySendAsync(HttpMethod.Post, "/api/unregister", new { webhook_url = url }, cancellationToken);

    public Task<JsonElement> ListEndpointsAsync(int limit, string? after, string? url, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/endpoints?limit={Text(limit)}{Query("after", after)}{Query("url", url)}", cancellationToken);

    public Task<JsonElement> GetEndpointAsync(string id, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/endpoints/{Uri.EscapeDataString(id)}", cancellationToken);

    public Task<JsonElement> ListAttemptsAsync(string id, int limit, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/endpoints/{Uri.EscapeDataString(id)}/attempts?limit={Text(limit)}", cancellationToken);

    public Task<JsonElement> ListEventsAsync(int limit, string? source, string? type, string? since, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/events?limit={Text(limit)}{Query("since", since)}{Query("source", source)}{Query("type", type)}", cancellationToken);

    public Task<JsonElement> GetEventAsync(long id, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/events/{Text(id)}", cancellationToken);

    public Task<JsonElement> EventSourcesAsync(CancellationToken cancellationToken) =>
        gateway.GetAsync("/api/events/sources", cancellationToken);

    public Task<JsonElement> EventSummaryAsync(int hours, string? source, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/events/summary?hours={Text(hours)}{Query("source", source)}", cancellationToken);

    public Task<JsonElement> GitHubActivityAsync(string repo, int hours, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/events/github/activity?hours={Text(hours)}{Query("repo", repo)}", cancellationToken);

    public Task<JsonElement> TrackedReposAsync(CancellationToken cancellationToken) =>
        gateway.GetAsync("/api/events/github/repos", cancellationToken);

    public Task<JsonElement> RecentPushesAsync(string? repo, int limit, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/pushes?limit={Text(limit)}{Query("repo", repo)}", cancellationToken);

    public Task<JsonElement> RecentDeploymentsAsync(string? project, int limit, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/deployments?limit={Text(limit)}{Query("project", project)}", cancellationToken);

    public Task<JsonElement> DeploymentStatusAsync(string project, int hours, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/deployments/status?hours={Text(hours)}{Query("project", project)}", cancellationToken);

    public Task<JsonElement> CorrelatePushToDeploymentAsync(string commitSha, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/deployments/correlate?commit_sha={Uri.EscapeDataString(commitSha)}", cancellationToken);

    // Cancelling aborts the long-poll's request, which ends the wait on the gateway too.
    public Task<JsonElement> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int seconds, CancellationToken cancellationToken) =>
        gateway.GetAsync(
            $"/api/events/wait?timeout={Text(seconds)}{Query("after", after is { } cursor ? Text(cursor) : null)}{Query("source", source)}{Query("type", type)}{Query("subscription", subscription)}",
            cancellationToken);

    public Task<JsonElement> ListActionsAsync(string status, string? type, int limit, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/actions?status={Uri.EscapeDataString(status)}&limit={Text(limit)}{Query("type", type)}", cancellationToken);

    public Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionAsync(string id, string? details, string? completedBy, CancellationToken cancellationToken) =>
        gateway.TrySendAsync(HttpMethod.Post, $"/api/actions/{Uri.EscapeDataString(id)}/complete", new { details, completed_by = completedBy }, cancellationToken);

    public Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionOfTypeAsync(string actionType, string? details, string? completedBy, CancellationToken cancellationToken) =>
        gateway.TrySendAsync(HttpMethod.Post, "/api/actions/complete", new { action_type = actionType, details, completed_by = completedBy }, cancellationToken);

    public Task<JsonElement> StripeEventsAsync(int limit, CancellationToken cancellationToken) =>
        gateway.GetAsync($"/api/events/stripe?limit={Text(limit)}", cancellationToken);

    public Task<JsonElement> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description, CancellationToken cancellationToken) =>
        gateway.PostAsync("/api/subscriptions", new { name, sources, callback_description = description }, cancellationToken);

    public Task<JsonElement> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        gateway.GetAsync("/api/subscriptions", cancellationToken);

    public Task<(HttpStatusCode Status, JsonElement Body)> TryUnsubscribeAsync(string name, CancellationToken cancellationToken) =>
        gateway.TrySendAsync(HttpMethod.Delete, $"/api/subscriptions/{Uri.EscapeDataString(name)}", null, cancellationToken);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Query(string name, string? value) => value is null ? string.Empty : $"&{name}={Uri.EscapeDataString(value)}";
}
