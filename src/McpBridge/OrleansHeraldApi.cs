using System.Net;
using System.Text.Json;
using Herald.Application;
using Herald.Application.Push;
using Herald.Contracts;
using ModelContextProtocol;

namespace Herald.McpBridge;

/// <summary>
/// Herald's operations as an Orleans client of the cluster: each one a call to <see cref="IHeraldApiGrain"/>, which
/// runs the HTTP route's own use case inside the cluster and answers its typed outcome, written here in the API's JSON.
/// A push that waits hears the first attempts through an observer this client creates, as the gateway does for HTTP.
/// A push to a gateway named by host or port goes over HTTP.
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
        var taken = Value(await Call(() => Api(client).PushAsync(message, topic, watch?.Observer, data: null), cancellationToken));
        var answer = taken.Answer;
        if (watch is not null && taken.Receipt is { } receipt)
            answer = answer with { WebhooksNotified = await watch.WaitAsync(receipt.Seq, receipt.Subscribers, taken.WaitLimit) };
        return new PushAnswer(JsonSerializer.SerializeToElement(answer, ApiJson.Options), connection.Describe, StartedHerald: false);
    }

    public async Task<PushAnswer> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken)
    {
        var client = await connection.ClientAsync(cancellationToken);
        var taken = await Call(() => Api(client).PushAsync(message: null, channel, outcomes: null, data), cancellationToken);
        return new PushAnswer(Json(taken, t => t.Answer), connection.Describe, StartedHerald: false);
    }

    public async Task<JsonElement> ChannelStatsAsync(int hours, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.ChannelStatsAsync(hours), cancellationToken));

    public async Task<JsonElement> RecentMessagesAsync(string? channel, int limit, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.RecentMessagesAsync(channel, limit), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryCreateEndpointAsync(string url, string[]? topics, string? secret, CancellationToken cancellationToken) =>
        TryJson(await CallAsync(api => api.CreateEndpointAsync(url, topics, secret), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryDeleteEndpointAsync(string id, CancellationToken cancellationToken) =>
        TryJson(await CallAsync(api => api.DeleteEndpointAsync(id), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryUnregisterAsync(string url, CancellationToken cancellationToken) =>
        TryJson(await CallAsync(api => api.UnregisterAsync(url), cancellationToken));

    public async Task<JsonElement> ListEndpointsAsync(int limit, string? after, string? url, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.ListEndpointsAsync(limit, after, url), cancellationToken));

    public async Task<JsonElement> GetEndpointAsync(string id, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.GetEndpointAsync(id), cancellationToken));

    public async Task<JsonElement> ListAttemptsAsync(string id, int limit, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.ListAttemptsAsync(id, limit), cancellationToken));

    public async Task<JsonElement> ListEventsAsync(int limit, string? source, string? type, string? since, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.ListEventsAsync(limit, source, type, since), cancellationToken));

    public async Task<JsonElement> GetEventAsync(long id, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.GetEventAsync(id), cancellationToken));

    public async Task<JsonElement> EventSourcesAsync(CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.EventSourcesAsync(), cancellationToken));

    public async Task<JsonElement> EventSummaryAsync(int hours, string? source, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.EventSummaryAsync(hours, source), cancellationToken));

    public async Task<JsonElement> GitHubActivityAsync(string repo, int hours, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.GitHubActivityAsync(repo, hours), cancellationToken));

    public async Task<JsonElement> TrackedReposAsync(CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.TrackedReposAsync(), cancellationToken));

    public async Task<JsonElement> RecentPushesAsync(string? repo, int limit, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.RecentPushesAsync(repo, limit), cancellationToken));

    public async Task<JsonElement> RecentDeploymentsAsync(string? project, int limit, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.RecentDeploymentsAsync(project, limit), cancellationToken));

    public async Task<JsonElement> DeploymentStatusAsync(string project, int hours, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.DeploymentStatusAsync(project, hours), cancellationToken));

    public async Task<JsonElement> CorrelatePushToDeploymentAsync(string commitSha, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.CorrelatePushToDeploymentAsync(commitSha), cancellationToken));

    public async Task<JsonElement> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int seconds, CancellationToken cancellationToken)
    {
        // Each round waits after the cursor the previous one returned (a subscription keeps its own on the server),
        // so nothing stored between rounds is missed.
        var remaining = seconds;
        while (true)
        {
            var round = Math.Min(remaining, LongestGrainWait);
            var cursor = after;
            var answer = Json(await CallAsync(api => api.WaitForEventAsync(cursor, source, type, subscription, round, cancellationToken), cancellationToken));
            remaining -= round;
            if (!answer.GetProperty("timed_out").GetBoolean() || remaining <= 0)
                return answer;
            if (subscription is null)
                after = answer.GetProperty("cursor").GetInt64();
        }
    }

    public async Task<JsonElement> ListActionsAsync(string status, string? type, int limit, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.ListActionsAsync(status, type, limit), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionAsync(string id, string? details, string? completedBy, CancellationToken cancellationToken) =>
        TryJson(await CallAsync(api => api.CompleteActionAsync(id, details, completedBy), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryCompleteActionOfTypeAsync(string actionType, string? details, string? completedBy, CancellationToken cancellationToken) =>
        TryJson(await CallAsync(api => api.CompleteActionOfTypeAsync(actionType, details, completedBy), cancellationToken));

    public async Task<JsonElement> StripeEventsAsync(int limit, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.StripeEventsAsync(limit), cancellationToken));

    public async Task<JsonElement> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description, CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.SubscribeAsync(name, sources, description), cancellationToken), subscribed => subscribed.Subscription);

    public async Task<JsonElement> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Json(await CallAsync(api => api.ListSubscriptionsAsync(), cancellationToken));

    public async Task<(HttpStatusCode Status, JsonElement Body)> TryUnsubscribeAsync(string name, CancellationToken cancellationToken) =>
        TryJson(await CallAsync(api => api.UnsubscribeAsync(name), cancellationToken));

    private static IHeraldApiGrain Api(IClusterClient client) => client.GetGrain<IHeraldApiGrain>(0);

    private async Task<T> CallAsync<T>(Func<IHeraldApiGrain, Task<T>> call, CancellationToken cancellationToken)
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

    /// <summary>The outcome's value in the API's JSON, as HTTP gives it; its error as a failure the model reads.</summary>
    private static JsonElement Json<T>(Outcome<T> outcome) => Json(outcome, value => value);

    private static JsonElement Json<T, TShown>(Outcome<T> outcome, Func<T, TShown> shown) =>
        JsonSerializer.SerializeToElement(shown(Value(outcome)), ApiJson.Options);

    private static T Value<T>(Outcome<T> outcome) =>
        outcome.Error is { } error ? throw new McpException($"Herald answered {(int)error.Kind}: {error.Detail}") : outcome.Value!;

    /// <summary>Like <see cref="Json{T}"/>, with a refusal of the request (4xx) given back as REST's status and problem body.</summary>
    private static (HttpStatusCode Status, JsonElement Body) TryJson<T>(Outcome<T> outcome) =>
        outcome.Error is { Kind: < UseCaseErrorKind.Unavailable } error
            ? ((HttpStatusCode)error.Kind, Problem(error))
            : (HttpStatusCode.OK, Json(outcome));

    /// <summary>The error as REST's problem JSON shows it: its title, status, message, fields at fault and extensions.</summary>
    private static JsonElement Problem(UseCaseError error)
    {
        var problem = new Dictionary<string, object?> { ["title"] = error.Title, ["status"] = (int)error.Kind, ["detail"] = error.Detail, ["error"] = error.Detail };
        if (error.Fields is { } fields)
            problem["errors"] = fields;
        foreach (var (key, value) in error.Extensions ?? new Dictionary<string, object?>())
            problem[key] = value;
        return JsonSerializer.SerializeToElement(problem, ApiJson.Options);
    }
}
