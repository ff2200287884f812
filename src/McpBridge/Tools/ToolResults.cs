using System.ComponentModel;
using System.Text.Json;
using Herald.Contracts;

namespace Herald.McpBridge.Tools;

// Every tool result is a typed record, so its output schema says what each field holds. Only what the outside
// world decides (an inbound event's summary fields and original payload) stays free-form JSON.

/// <summary>What a push did.</summary>
public sealed record PushResult(
    [property: Description("One line for the user, e.g. 'Delivered to 3 of 4 webhooks'.")] string Summary,
    [property: Description("Webhooks whose first attempt succeeded while the push waited.")] int WebhooksNotified,
    [property: Description("Enabled webhooks subscribed to the message's topic.")] int TotalWebhooks,
    [property: Description("Live SSE listeners whose topic filter lets the message through.")] int Clients,
    [property: Description("The message's id in Herald's log (the webhook-id is msg_<id>).")] long Id,
    string Topic,
    [property: Description("When Herald accepted the message, ISO-8601 UTC.")] string Timestamp,
    [property: Description("The Herald that took the push: a gateway's address, or orleans://<cluster id> when the bridge calls the cluster's grains.")] string Gateway,
    [property: Description("True when nothing answered at that local address, so this bridge started Herald there for this push.")] bool StartedHerald);

public sealed record RegisteredWebhook(
    string Id,
    string Url,
    [property: Description("True when the URL was registered before; nothing changed.")] bool AlreadyRegistered,
    [property: Description("The signing secret, shown only when this call created the webhook.")] string? Secret,
    EndpointStatus Endpoint);

public sealed record UnregisteredWebhook(
    [property: Description("The URL or id that was asked for.")] string Removed,
    [property: Description("False when it was not registered (any more): unregistering is idempotent.")] bool WasRegistered,
    string Summary);

public sealed record WebhookSummary(
    string Id, string Url, IReadOnlyList<string> Topics, bool Enabled, string? DisabledReason, long Delivered, long Failed,
    int ConsecutiveFailures, long Lag, int? LastStatusCode, string? LastError);

public sealed record WebhookList(IReadOnlyList<WebhookSummary> Webhooks, int Total);

public sealed record WebhookStatus(EndpointStatus Endpoint, IReadOnlyList<DeliveryAttempt> RecentAttempts);

/// <summary>One webhook Herald received from outside.</summary>
public sealed record InboundEventView(
    [property: Description("The event id; also a cursor for get_events_since and wait_for_event.")] long Id,
    [property: Description("The configured source it arrived on, e.g. 'github'.")] string Source,
    [property: Description("The event type, e.g. 'push' or 'payment_intent.succeeded'.")] string? Type,
    [property: Description("The sender's delivery id; a redelivery with the same id is stored once.")] string DeliveryId,
    DateTimeOffset ReceivedAt,
    [property: Description("Normalized fields of the event (repo, branch, commits, amount, ...); which ones depends on the source.")] Dictionary<string, JsonElement> Summary,
    [property: Description("The headers Herald kept (signatures are never kept).")] Dictionary<string, string> Headers,
    [property: Description("The original payload as received: JSON, or a string when it was not JSON. Present only where the tool says so.")] JsonElement? Payload);

public sealed record EventList(IReadOnlyList<InboundEventView> Events, int Count, [property: Description("Pass to get_events_since or wait_for_event to go on from here.")] long? Cursor);

public sealed record EventDetail(InboundEventView Event);

public sealed record SourceView(string Source, long Count, DateTimeOffset LastSeen);

public sealed record SourceList(IReadOnlyList<SourceView> Sources);

public sealed record SourceCounts(long Total, [property: Description("Counts by event type; '(none)' for events without one.")] Dictionary<string, long> Types);

public sealed record EventSummary(
    int Hours, DateTimeOffset Since, long Total, Dictionary<string, SourceCounts> Sources,
    [property: Description("Actions pending now (get_pending_actions lists them), whenever their events arrived.")] int PendingActions);

public sealed record WaitResult(
    bool TimedOut,
    [property: Description("The event that arrived, with its payload; null when the wait timed out.")] InboundEventView? Event,
    [property: Description("Wait again with after=<cursor> to miss nothing.")] long Cursor,
    string Summary);

/// <summary>What happened in one GitHub repository.</summary>
public sealed record GitHubActivityView(
    string Repo, int Hours, DateTimeOffset Since, int Pushes, int Commits, IReadOnlyList<string> Contributors,
    [property: Description("Pull request events by action (opened, closed, merged, ...).")] Dictionary<string, int> PullRequests,
    [property: Description("Issue events by action.")] Dictionary<string, int> Issues,
    IReadOnlyList<string> RecentCommits,
    [property: Description("True when the window held more events than one summary reads.")] bool Truncated,
    [property: Description("All of the repository's events in the window.")] int TotalEvents,
    [property: Description("The repository's events in the window by GitHub event type.")] Dictionary<string, int> EventsByType,
    [property: Description("The repository's last 10 events in the window, oldest first, without payloads.")] IReadOnlyList<InboundEventView> RecentEvents);

public sealed record RepoActivity(
    GitHubActivityView Activity,
    [property: Description("The repository's events of the requested type, as summaries; null when no event_type was given.")] IReadOnlyList<Dictionary<string, JsonElement>>? Events);

public sealed record CommitSummary(string Repo, int Hours, int Pushes, int Commits, IReadOnlyList<string> Contributors, IReadOnlyList<string> RecentCommits, string Summary);

public sealed record PullRequestActivity(
    string Repo, int Hours, Dictionary<string, int> ByAction,
    [property: Description("Each pull request event's summary: number, title, user, action, state, ...")] IReadOnlyList<Dictionary<string, JsonElement>> PullRequests,
    string Summary);

public sealed record PushesResult(
    [property: Description("One record per commit, newest first.")] IReadOnlyList<CommitRecord> Pushes,
    int Count,
    [property: Description("True when the search stopped at the most events one answer reads (10,000).")] bool Truncated,
    string Summary);

public sealed record DeploymentsResult(
    [property: Description("One record per deployment event, newest first; a deployment that was created and then succeeded has two.")] IReadOnlyList<DeploymentRecord> Deployments,
    int Count,
    [property: Description("True when the search stopped at the most events one answer reads (10,000).")] bool Truncated,
    string Summary);

public sealed record DeploymentStatusResult(
    string Project,
    [property: Description("The project's latest deployment event; null when none was received.")] DeploymentRecord? Latest,
    int Hours,
    [property: Description("The project's deployment events over the window, counted by status.")] IReadOnlyDictionary<string, int> ByStatus,
    bool Truncated,
    string Summary);

public sealed record CorrelationResult(
    string CommitSha,
    [property: Description("The newest push that carried the commit; null when none was received.")] CommitRecord? Push,
    [property: Description("The newest deployment event of the commit; null when none was received.")] DeploymentRecord? Deployment,
    [property: Description("Every deployment event of the commit, newest first (at most 10).")] IReadOnlyList<DeploymentRecord> Deployments,
    bool Truncated,
    string Summary);

public sealed record TrackedRepos(
    [property: Description("Each repository (owner/name) with its event count and last event time, busiest first.")] IReadOnlyList<TrackedRepo> Repos,
    [property: Description("True when there were more GitHub events than one answer reads (10,000); older repositories may be missing.")] bool Truncated,
    string Summary);

public sealed record ActionsResult(
    [property: Description("The actions, pending ones oldest first; each with id, type, status, event_id, source, event_type, created_at, the fields the rule reads, and its completion.")] IReadOnlyList<ActionView> Actions,
    int Count,
    [property: Description("How many actions are pending in all.")] int Pending,
    [property: Description("True when a rule matched more events than one answer reads (10,000 per rule).")] bool Truncated,
    string Summary);

public sealed record CompletionResult(
    [property: Description("completed, already_completed (an earlier call completed it; nothing changed) or not_found.")] string Status,
    [property: Description("The action as completed; null when not found.")] ActionView? Action,
    string Summary);

public sealed record StripeEventsResult(
    [property: Description("Each event (without its payload; use get_event_by_id for it) and the actions it created.")] IReadOnlyList<StripeEventView> Events,
    int Count,
    string Summary);

public sealed record SubscriptionResult(SubscriptionResponse Subscription, [property: Description("True when this call created it; false when it existed and its cursor was kept.")] bool Created, string Summary);

public sealed record SubscriptionList(IReadOnlyList<SubscriptionResponse> Subscriptions);

public sealed record UnsubscribeResult([property: Description("False when no subscription had the name.")] bool WasSubscribed, string Summary);

public sealed record PublishResult(
    [property: Description("Always 'published', as in the MCP event-patterns guide.")] string Status,
    string Channel,
    [property: Description("The message's id in Herald's log (the webhook-id is msg_<id>).")] long Id,
    string Timestamp,
    [property: Description("Enabled webhooks subscribed to the channel.")] int TotalWebhooks,
    [property: Description("Live SSE listeners whose topic filter lets the channel through.")] int Clients,
    [property: Description("The Herald that took it: a gateway's address, or orleans://<cluster id>.")] string Gateway,
    string Summary);
