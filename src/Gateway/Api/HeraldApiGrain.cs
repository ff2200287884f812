using System.Globalization;
using System.Text.Json;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Delivery;
using Herald.Grains.Inbound;
using Herald.Grains.Webhooks;
using Herald.MessageLog;
using Herald.Silo.Cluster;
using Herald.Storage;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Herald.Gateway.Api;

/// <summary>
/// The HTTP API's operations for Orleans clients. Each method runs the very handler its route runs and carries its
/// status and JSON body back, so the MCP bridge's tools answer alike over HTTP and over Orleans. Each call carries the
/// caller's API key and needs the scope its route needs (<see cref="EntryGrainAccess"/>). Only the processes that
/// serve the HTTP API host it; Orleans places calls from clients connected to any silo there.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class HeraldApiGrain(
    EndpointFactory factory,
    EndpointStatusReader statuses,
    IEndpointRegistry registry,
    IAttemptLog attempts,
    IInboundEventStore events,
    IMessageLog log,
    ClusterView cluster,
    PushRetries retries,
    TimeProvider time,
    IOptions<LimitsOptions> limits,
    IOptions<DeliveryOptions> delivery,
    IOptionsMonitor<InboundOptions> inbound,
    IOptionsMonitor<ActionOptions> actions,
    IActionCompletionStore completions,
    ISubscriptionStore subscriptions,
    IOptions<HttpJsonOptions> json,
    EntryGrainAccess access) : Grain, IHeraldApiGrain, IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Extensions Orleans gives every grain (a client cancelling its own call) are no API operation.
        if (context.InterfaceMethod.DeclaringType != typeof(IHeraldApiGrain) || access.Refusal(context.InterfaceMethod) is not { } refusal)
            return context.Invoke();

        var reply = Reply(refusal);
        context.Result = context.InterfaceMethod.ReturnType == typeof(Task<PushReply>) ? new PushReply(reply, null, TimeSpan.Zero) : reply;
        return Task.CompletedTask;
    }

    public async Task<PushReply> PushAsync(string? message, string? topic, IFirstAttemptObserver? outcomes, string? data)
    {
        JsonElement? parsed = null;
        if (data is not null)
        {
            try
            {
                parsed = JsonDocument.Parse(data).RootElement.Clone();
            }
            catch (JsonException exception)
            {
                return new PushReply(Reply(ApiProblems.Field("data", $"is not valid JSON ({exception.Message.Split(". ")[0]})")), null, TimeSpan.Zero);
            }
        }

        var (content, invalid) = PushApi.Check(message, topic, parsed, limits.Value);
        if (invalid is not null)
            return new PushReply(Reply(invalid), null, TimeSpan.Zero);
        var (receipt, refused) = await PushApi.AppendAsync(content!, topic, givenKey: string.Empty, outcomes, retries, cluster);
        if (refused is not null)
            return new PushReply(Reply(refused), null, TimeSpan.Zero);

        var answer = PushApi.Answer(receipt!, content!.Message, notified: 0, cluster.CountClients(receipt!.Topic));
        var waits = outcomes is not null && receipt!.AwaitsFirstAttempts;
        var status = outcomes is not null && receipt!.Unconfirmed is null ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
        return new PushReply(new ApiReply(status, Serialize(answer)), waits ? receipt : null, delivery.Value.Timeout);
    }

    public async Task<ApiReply> CreateEndpointAsync(string url, IReadOnlyList<string>? topics, string? secret) =>
        Reply(await EndpointsApi.RegisterAsync(new CreateEndpointRequest(url, topics, secret, null, null), factory, statuses, limits.Value, CancellationToken.None));

    public async Task<ApiReply> DeleteEndpointAsync(string id) =>
        Reply(await EndpointsApi.DeleteAsync(id, registry, GrainFactory, CancellationToken.None));

    public async Task<ApiReply> UnregisterAsync(string url) =>
        Reply(await WebhooksApi.UnregisterUrlAsync(url, registry, GrainFactory, CancellationToken.None));

    public async Task<ApiReply> ListEndpointsAsync(int limit, string? after, string? url) =>
        Reply(await EndpointsApi.ListAsync(Text(limit), after, url, statuses, CancellationToken.None));

    public async Task<ApiReply> GetEndpointAsync(string id) =>
        Reply(await EndpointsApi.GetAsync(id, statuses, CancellationToken.None));

    public async Task<ApiReply> ListAttemptsAsync(string id, int limit) =>
        Reply(await EndpointsApi.AttemptsAsync(id, Text(limit), registry, attempts, CancellationToken.None));

    public async Task<ApiReply> ListEventsAsync(int limit, string? source, string? type, string? since) =>
        Reply(await EventsApi.ListAsync(source, type, since, Text(limit), includePayload: null, events, CancellationToken.None));

    public async Task<ApiReply> GetEventAsync(long id) =>
        Reply(await EventsApi.GetAsync(Text(id), events, CancellationToken.None));

    public async Task<ApiReply> EventSourcesAsync() =>
        Reply(await EventsApi.SourcesAsync(events, CancellationToken.None));

    public async Task<ApiReply> EventSummaryAsync(int hours, string? source) =>
        Reply(await EventsApi.SummaryAsync(source, Text(hours), events, completions, actions, inbound, time, CancellationToken.None));

    public async Task<ApiReply> GitHubActivityAsync(string repo, int hours) =>
        Reply(await EventsApi.GitHubActivityAsync(repo, Text(hours), events, time, CancellationToken.None));

    public async Task<ApiReply> TrackedReposAsync() =>
        Reply(await EventsApi.TrackedReposAsync(inbound, events, CancellationToken.None));

    public async Task<ApiReply> RecentPushesAsync(string? repo, int limit) =>
        Reply(await DeploymentsApi.PushesAsync(repo, Text(limit), inbound, events, CancellationToken.None));

    public async Task<ApiReply> RecentDeploymentsAsync(string? project, int limit) =>
        Reply(await DeploymentsApi.DeploymentsAsync(project, Text(limit), inbound, events, CancellationToken.None));

    public async Task<ApiReply> DeploymentStatusAsync(string project, int hours) =>
        Reply(await DeploymentsApi.StatusAsync(project, Text(hours), inbound, events, time, CancellationToken.None));

    public async Task<ApiReply> CorrelatePushToDeploymentAsync(string commitSha) =>
        Reply(await DeploymentsApi.CorrelateAsync(commitSha, inbound, events, CancellationToken.None));

    public async Task<ApiReply> ListActionsAsync(string status, string? type, int limit) =>
        Reply(await ActionsApi.ListAsync(status, type, Text(limit), actions, inbound, events, completions, CancellationToken.None));

    public async Task<ApiReply> CompleteActionAsync(string id, string? details, string? completedBy) =>
        Reply(await ActionsApi.CompleteAsync(id, details, completedBy, actions, inbound, events, completions, time, CancellationToken.None));

    public async Task<ApiReply> CompleteActionOfTypeAsync(string actionType, string? details, string? completedBy) =>
        Reply(await ActionsApi.CompleteOldestAsync(actionType, details, completedBy, actions, inbound, events, completions, time, CancellationToken.None));

    public async Task<ApiReply> StripeEventsAsync(int limit) =>
        Reply(await ActionsApi.StripeEventsAsync(Text(limit), actions, inbound, events, completions, CancellationToken.None));

    public async Task<ApiReply> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description) =>
        Reply(await SubscriptionsApi.SubscribeAsync(EntryGrainAccess.Caller, name, sources, description, inbound, subscriptions, log, time, CancellationToken.None));

    public async Task<ApiReply> ListSubscriptionsAsync() =>
        Reply(await SubscriptionsApi.ListAsync(EntryGrainAccess.Caller, subscriptions, CancellationToken.None));

    public async Task<ApiReply> UnsubscribeAsync(string name) =>
        Reply(await SubscriptionsApi.DeleteAsync(EntryGrainAccess.Caller, name, owner: null, subscriptions, CancellationToken.None));

    public async Task<ApiReply> ChannelStatsAsync(int hours) =>
        Reply(await ChannelsApi.StatsAsync(Text(hours), log, time, CancellationToken.None));

    public async Task<ApiReply> RecentMessagesAsync(string? channel, int limit) =>
        Reply(await ChannelsApi.MessagesAsync(channel, Text(limit), log, CancellationToken.None));

    public async Task<ApiReply> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int timeoutSeconds, CancellationToken cancellationToken) =>
        Reply(await EventsApi.WaitAsync(EntryGrainAccess.Caller, after is { } cursor ? Text(cursor) : null, source, type, Text(timeoutSeconds), subscription, events, subscriptions, log, time, cancellationToken));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private ApiReply Reply(IResult result)
    {
        if (result is INestedHttpResult nested)
            result = nested.Result;
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        return new ApiReply(status, result is IValueHttpResult { Value: { } value } ? Serialize(value) : string.Empty);
    }

    private string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), json.Value.SerializerOptions);
}
