using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Contracts;
using Herald.Gateway.Api;
using ModelContextProtocol;

namespace Herald.McpBridge;

/// <summary>
/// Herald's operations as an Orleans client of the cluster: each one a call to <see cref="IHeraldApiGrain"/>, which
/// runs the HTTP API's own handler inside the cluster. A push that waits hears the first attempts through an observer
/// this client creates, as the gateway does for HTTP. A push to a gateway named by host or port goes over HTTP.
/// </summary>
public sealed class OrleansHeraldApi(OrleansConnection connection, RestHeraldApi rest) : IHeraldApi
{
    // Kept well under the client's response timeout (30 s by default); a longer wait is a loop of these.
    private const int LongestGrainWait = 20;

    public async Task<PushAnswer> PushAsync(string message, string? topic, bool wait, string? host, int? port, CancellationToken cancellationToken)
    {
        if (host is not null || port is not null)
            return await rest.PushAsync(message, topic, wait, host, port, cancellationToken);

        var client = await connection.ClientAsync(cancellationToken);
        using var watch = wait ? new FirstAttemptWatch(client) : null;
        var pushed = await Call(() => Api(client).PushAsync(message, topic, watch?.Observer, data: null), cancellationToken);
        var body = Parse(pushed.Reply);
        if (watch is not null && pushed.Receipt is { } receipt)
        {
            var notified = await watch.WaitAsync(receipt.Seq, receipt.Subscribers, pushed.WaitLimit);
            var answer = JsonNode.Parse(body.GetRawText())!.AsObject();
            answer["webhooks_notified"] = notified;
            body = JsonSerializer.SerializeToElement(answer);
        }

        return new PushAnswer(body, connection.Describe, StartedHerald: false);
    }

    public async Task<PushAnswer> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken)
    {
        var client = await connection.ClientAsync(cancellationToken);
        var pushed = await Call(() => Api(client).PushAsync(message: null, channel, outcomes: null, data.GetRawText()), cancellationToken);
        return new PushAnswer(Parse(pushed.Reply), connection.Describe, StartedHerald: false);
    }

    public async Task<JsonElement> ChannelStatsAsync(int hours, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.ChannelStatsAsync(hours), cancellationToken));

    public async Task<JsonElement> RecentMessagesAsync(string? channel, int limit, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.RecentMessagesAsync(channel, limit), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryCreateEndpointAsync(string url, string[]? topics, string? secret, CancellationToken cancellationToken) =>
        TryParse(await CallAsync(api => api.CreateEndpointAsync(url, topics, secret), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryDeleteEndpointAsync(string id, CancellationToken cancellationToken) =>
        TryParse(await CallAsync(api => api.DeleteEndpointAsync(id), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryUnregisterAsync(string url, CancellationToken cancellationToken) =>
        TryParse(await CallAsync(api => api.UnregisterAsync(url), cancellationToken));

    public async Task<JsonElement> ListEndpointsAsync(int limit, string? after, string? url, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.ListEndpointsAsync(limit, after, url), cancellationToken));

    public async Task<JsonElement> GetEndpointAsync(string id, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.GetEndpointAsync(id), cancellationToken));

    public async Task<JsonElement> ListAttemptsAsync(string id, int limit, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.ListAttemptsAsync(id, limit), cancellationToken));

    public async Task<JsonElement> ListEventsAsync(int limit, string? source, string? type, string? since, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.ListEventsAsync(limit, source, type, since), cancellationToken));

    public async Task<JsonElement> GetEventAsync(long id, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.GetEventAsync(id), cancellationToken));

    public async Task<JsonElement> EventSourcesAsync(CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.EventSourcesAsync(), cancellationToken));

    public async Task<JsonElement> EventSummaryAsync(int hours, string? source, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.EventSummaryAsync(hours, source), cancellationToken));

    public async Task<JsonElement> GitHubActivityAsync(string repo, int hours, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.GitHubActivityAsync(repo, hours), cancellationToken));

    public async Task<JsonElement> TrackedReposAsync(CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.TrackedReposAsync(), cancellationToken));

    public async Task<JsonElement> RecentPushesAsync(string? repo, int limit, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.RecentPushesAsync(repo, limit), cancellationToken));

    public async Task<JsonElement> RecentDeploymentsAsync(string? project, int limit, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.RecentDeploymentsAsync(project, limit), cancellationToken));

    public async Task<JsonElement> DeploymentStatusAsync(string project, int hours, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.DeploymentStatusAsync(project, hours), cancellationToken));

    public async Task<JsonElement> CorrelatePushToDeploymentAsync(string commitSha, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.CorrelatePushToDeploymentAsync(commitSha), cancellationToken));

    public async Task<JsonElement> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int seconds, CancellationToken cancellationToken)
    {
        // Each round waits after the cursor the previous one returned (a subscription keeps its own on the server),
        // so nothing stored between rounds is missed.
        var remaining = seconds;
        while (true)
        {
            var round = Math.Min(remaining, LongestGrainWait);
            var cursor = after;
            var answer = Parse(await CallAsync(api => api.WaitForEventAsync(cursor, source, type, subscription, round, cancellationToken), cancellationToken));
            remaining -= round;
            if (!answer.GetProperty("timed_out").GetBoolean() || remaining <= 0)
                return answer;
            if (subscription is null)
                after = answer.GetProperty("cursor").GetInt64();
        }
    }

    public async Task<JsonElement> ListActionsAsync(string status, string? type, int limit, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.ListActionsAsync(status, type, limit), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionAsync(string id, string? details, string? completedBy, CancellationToken cancellationToken) =>
        TryParse(await CallAsync(api => api.CompleteActionAsync(id, details, completedBy), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionOfTypeAsync(string actionType, string? details, string? completedBy, CancellationToken cancellationToken) =>
        TryParse(await CallAsync(api => api.CompleteActionOfTypeAsync(actionType, details, completedBy), cancellationToken));

    public async Task<JsonElement> StripeEventsAsync(int limit, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.StripeEventsAsync(limit), cancellationToken));

    public async Task<JsonElement> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description, CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.SubscribeAsync(name, sources, description), cancellationToken));

    public async Task<JsonElement> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Parse(await CallAsync(api => api.ListSubscriptionsAsync(), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryUnsubscribeAsync(string name, CancellationToken cancellationToken) =>
        TryParse(await CallAsync(api => api.UnsubscribeAsync(name), cancellationToken));

    private static IHeraldApiGrain Api(IClusterClient client) => client.GetGrain<IHeraldApiGrain>(0);

    private async Task<ApiReply> CallAsync(Func<IHeraldApiGrain, Task<ApiReply>> call, CancellationToken cancellationToken)
    {
        var client = await connection.ClientAsync(cancellationToken);
        return await Call(() => call(Api(client)), cancellationToken);
    }

    private async Task<T> Call<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not McpException)
        {
            throw new McpException($"The Herald cluster at {connection.Describe} did not answer ({exception.GetBaseException().Message}). " +
                                   "Its silos may be restarting; try again shortly.");
        }
    }

    private static JsonElement Parse(ApiReply reply)
    {
        if (!reply.Succeeded)
            throw new McpException(GatewayClient.Describe((HttpStatusCode)reply.Status, reply.Json, "The Herald cluster"));
        return reply.Json.Length == 0 ? default : JsonDocument.Parse(reply.Json).RootElement.Clone();
    }

    private static (HttpStatusCode Status, JsonElement Body) TryParse(ApiReply reply)
    {
        if (reply.Status is >= 400 and < 500 && reply.Json.Length > 0)
            return ((HttpStatusCode)reply.Status, JsonDocument.Parse(reply.Json).RootElement.Clone());
        return (HttpStatusCode.OK, Parse(reply));
    }
}
