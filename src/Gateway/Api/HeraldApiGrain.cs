using System.Globalization;
using System.Text.Json;
using Herald.Application.Actions;
using Herald.Application.Channels;
using Herald.Application.Deployments;
using Herald.Application.Endpoints;
using Herald.Application.Events;
using Herald.Application.Push;
using Herald.Application.Subscriptions;
using Herald.Contracts;
using Herald.Gateway.Security;
using Herald.Grains.Delivery;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Herald.Gateway.Api;

/// <summary>
/// The use cases for Orleans clients: each method adapts one, as its REST route does, and answers its typed outcome,
/// so the MCP bridge's tools answer alike over HTTP and over Orleans. Each call carries the caller's API key and needs
/// the scope its route needs (<see cref="EntryGrainAccess"/>). Only the processes that serve the HTTP API host it;
/// Orleans places calls from clients connected to any silo there.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class HeraldApiGrain(
    EntryGrainAccess access,
    PushUseCase push,
    EndpointUseCases endpoints,
    EventQueries events,
    DeploymentQueries deployments,
    ActionUseCases actions,
    SubscriptionUseCases subscriptions,
    ChannelQueries channels,
    IOptions<DeliveryOptions> delivery) : Grain, IHeraldApiGrain, IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Extensions Orleans gives every grain (a client cancelling its own call) are no API operation.
        if (context.InterfaceMethod.DeclaringType != typeof(IHeraldApiGrain) || access.Refusal(context.InterfaceMethod) is not { } refusal)
            return context.Invoke();

        // Every operation answers an Outcome<T>, which a refusal converts to.
        var outcome = context.InterfaceMethod.ReturnType.GetGenericArguments()[0];
        context.Result = outcome.GetMethod("op_Implicit", [typeof(UseCaseError)])!.Invoke(null, [refusal]);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Appends the push and answers at once: with <paramref name="outcomes"/>, the receipt names the endpoints whose
    /// first attempts the caller waits for itself (an observer lives with its client, not in a grain).
    /// </summary>
    public async Task<Outcome<PushTaken>> PushAsync(string? message, string? topic, IFirstAttemptObserver? outcomes, JsonElement? data)
    {
        var checkedContent = push.Check(message, topic, data);
        if (checkedContent is not { Value: { } content })
            return checkedContent.Error!;
        var appended = await push.AppendAsync(content, topic, givenKey: null, outcomes);
        if (appended is not { Value: { } receipt })
            return appended.Error!;
        var waits = outcomes is not null && receipt.AwaitsFirstAttempts;
        return new PushTaken(push.Answer(receipt, content.Message, notified: 0), waits ? receipt : null, delivery.Value.Timeout);
    }

    public Task<Outcome<EndpointStatus>> CreateEndpointAsync(string url, IReadOnlyList<string>? topics, string? secret) =>
        endpoints.RegisterAsync(url, topics, secret, headers: null, description: null, CancellationToken.None);

    public Task<Outcome<string>> DeleteEndpointAsync(string id) => endpoints.DeleteAsync(id, CancellationToken.None);

    public Task<Outcome<WebhookUrlResponse>> UnregisterAsync(string url) => endpoints.UnregisterUrlAsync(url, CancellationToken.None);

    public Task<Outcome<EndpointListResponse>> ListEndpointsAsync(int limit, string? after, string? url) =>
        endpoints.ListAsync(Text(limit), after, url, CancellationToken.None);

    public Task<Outcome<EndpointStatus>> GetEndpointAsync(string id) => endpoints.GetAsync(id, CancellationToken.None);

    public Task<Outcome<AttemptListResponse>> ListAttemptsAsync(string id, int limit) => endpoints.AttemptsAsync(id, Text(limit), CancellationToken.None);

    public Task<Outcome<EventListResponse>> ListEventsAsync(int limit, string? source, string? type, string? since) =>
        events.ListAsync(source, type, since, Text(limit), includePayload: false, CancellationToken.None);

    public Task<Outcome<EventResponse>> GetEventAsync(long id) => events.GetAsync(Text(id), CancellationToken.None);

    public async Task<Outcome<SourceListResponse>> EventSourcesAsync() => await events.SourcesAsync(CancellationToken.None);

    public Task<Outcome<SummaryResponse>> EventSummaryAsync(int hours, string? source) => events.SummaryAsync(source, Text(hours), CancellationToken.None);

    public Task<Outcome<GitHubActivity>> GitHubActivityAsync(string repo, int hours) => events.GitHubActivityAsync(repo, Text(hours), CancellationToken.None);

    public async Task<Outcome<TrackedReposResponse>> TrackedReposAsync() => await events.TrackedReposAsync(CancellationToken.None);

    public Task<Outcome<WaitResponse>> WaitForEventAsync(long? after, string? source, string? type, string? subscription, int timeoutSeconds, CancellationToken cancellationToken) =>
        events.WaitAsync(EntryGrainAccess.Caller, after is { } cursor ? Text(cursor) : null, source, type, Text(timeoutSeconds), subscription, cancellationToken);

    public Task<Outcome<PushListResponse>> RecentPushesAsync(string? repo, int limit) => deployments.PushesAsync(repo, Text(limit), CancellationToken.None);

    public Task<Outcome<DeploymentListResponse>> RecentDeploymentsAsync(string? project, int limit) =>
        deployments.DeploymentsAsync(project, Text(limit), CancellationToken.None);

    public Task<Outcome<DeploymentStatusResponse>> DeploymentStatusAsync(string project, int hours) =>
        deployments.StatusAsync(project, Text(hours), CancellationToken.None);

    public Task<Outcome<CorrelationResponse>> CorrelatePushToDeploymentAsync(string commitSha) => deployments.CorrelateAsync(commitSha, CancellationToken.None);

    public Task<Outcome<ActionListResponse>> ListActionsAsync(string status, string? type, int limit) => actions.ListAsync(status, type, Text(limit), CancellationToken.None);

    public Task<Outcome<CompletionResponse>> CompleteActionAsync(string id, string? details, string? completedBy) =>
        actions.CompleteAsync(id, details, completedBy, CancellationToken.None);

    public Task<Outcome<CompletionResponse>> CompleteActionOfTypeAsync(string actionType, string? details, string? completedBy) =>
        actions.CompleteOldestAsync(actionType, details, completedBy, CancellationToken.None);

    public Task<Outcome<StripeEventListResponse>> StripeEventsAsync(int limit) => actions.StripeEventsAsync(Text(limit), CancellationToken.None);

    public Task<Outcome<Subscribed>> SubscribeAsync(string? name, IReadOnlyList<string>? sources, string? description) =>
        subscriptions.SubscribeAsync(EntryGrainAccess.Caller, name, sources, description, CancellationToken.None);

    public async Task<Outcome<SubscriptionListResponse>> ListSubscriptionsAsync() => await subscriptions.ListAsync(EntryGrainAccess.Caller, CancellationToken.None);

    public Task<Outcome<string>> UnsubscribeAsync(string name) => subscriptions.DeleteAsync(EntryGrainAccess.Caller, name, owner: null, CancellationToken.None);

    public Task<Outcome<ChannelStatsResponse>> ChannelStatsAsync(int hours) => channels.StatsAsync(Text(hours), CancellationToken.None);

    public Task<Outcome<ChannelMessagesResponse>> RecentMessagesAsync(string? channel, int limit) => channels.MessagesAsync(channel, Text(limit), CancellationToken.None);

    // The use cases take their numbers as the query string gives them, so both adapters share one check and one message.
    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
