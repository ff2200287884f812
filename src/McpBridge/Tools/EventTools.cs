using System.ComponentModel;
using Herald.Contracts;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

[McpServerToolType]
public sealed class EventTools(IHeraldApi herald, IOptions<BridgeOptions> options)
{
    private const int MaxWaitSeconds = 55;

    [McpServerTool(Name = "get_recent_events", Title = "Recent inbound events", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the most recent webhooks Herald received from outside (GitHub, Stripe, ...), newest last, each with source, type, time and a normalized summary. The cursor can be passed to get_events_since or wait_for_event.")]
    public async Task<EventList> GetRecentEventsAsync(
        [Description("How many events, from 1 to 100. Default 20.")] int limit = 20,
        [Description("Only events from this source (as configured, e.g. 'github').")] string? source = null,
        [Description("Only events of this type (e.g. 'push', 'payment_intent.succeeded').")] string? type = null,
        CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 100)
            throw new McpException($"limit must be from 1 to 100, not {limit}.");
        return (await herald.ListEventsAsync(limit, source, type, since: null, cancellationToken)).As<EventList>();
    }

    [McpServerTool(Name = "get_event_by_id", Title = "One inbound event", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Get one received event with its full original payload, selected headers and summary.")]
    public async Task<EventDetail> GetEventByIdAsync(
        [Description("The event id (event_id from the receipt, or id from a listing).")] long id,
        CancellationToken cancellationToken = default)
    {
        if (id < 1)
            throw new McpException($"id must be a positive event id, not {id}.");
        return new EventDetail((await herald.GetEventAsync(id, cancellationToken)).As<InboundEventView>());
    }

    [McpServerTool(Name = "get_events_since", Title = "Inbound events since", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List received events after a cursor (an event id: nothing is skipped or repeated when you page on with the returned cursor) or since an ISO-8601 time, oldest first.")]
    public async Task<EventList> GetEventsSinceAsync(
        [Description("An event id to page after, or an ISO-8601 time such as 2026-11-21T10:00:00Z.")] string timestamp_or_cursor,
        [Description("Only events from this source.")] string? source = null,
        [Description("How many events at most, from 1 to 500. Default 100.")] int limit = 100,
        CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 500)
            throw new McpException($"limit must be from 1 to 500, not {limit}.");
        if (string.IsNullOrWhiteSpace(timestamp_or_cursor))
            throw new McpException("timestamp_or_cursor must be an event id or an ISO-8601 time.");
        return (await herald.ListEventsAsync(limit, source, type: null, timestamp_or_cursor, cancellationToken)).As<EventList>();
    }

    [McpServerTool(Name = "get_event_sources", Title = "Inbound event sources", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the sources Herald has received webhooks from, with how many events each and when the last one arrived.")]
    public async Task<SourceList> GetEventSourcesAsync(CancellationToken cancellationToken = default) =>
        (await herald.EventSourcesAsync(cancellationToken)).As<SourceList>();

    [McpServerTool(Name = "get_event_summary", Title = "Inbound event counts", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Count received events by source and type over the last N hours.")]
    public async Task<EventSummary> GetEventSummaryAsync(
        [Description("How many hours back, from 1 to 8760. Default 24.")] int hours = 24,
        [Description("Only this source.")] string? source = null,
        CancellationToken cancellationToken = default)
    {
        if (hours is < 1 or > 8760)
            throw new McpException($"hours must be from 1 to 8760, not {hours}.");
        return (await herald.EventSummaryAsync(hours, source, cancellationToken)).As<EventSummary>();
    }

    [McpServerTool(Name = "wait_for_event", Title = "Wait for the next inbound event", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Block until Herald receives a matching webhook, then return it; or return timed_out after the timeout (at most 55 s). " +
                 "Always returns a cursor: call again with after=<cursor> to keep waiting without missing anything. " +
                 "Leave 'after' out to wait for the next event from now. " +
                 "Or give subscription=<name> (from subscribe_to_events) instead of after, source and type: Herald keeps that subscription's cursor, so nothing is missed even if you forget yours.")]
    public async Task<WaitResult> WaitForEventAsync(
        IProgress<ProgressNotificationValue> progress,
        [Description("The cursor to wait after (an event id, or the cursor a previous call returned).")] long? after = null,
        [Description("Only events from this source (e.g. 'github').")] string? source = null,
        [Description("Only events of this type (e.g. 'push', 'pull_request', 'payment_intent.succeeded').")] string? type = null,
        [Description("How long to wait, in seconds; values above 55 are capped at 55. Default 30.")] int timeout_seconds = 30,
        [Description("A subscription's name (from subscribe_to_events): wait after its server-side cursor, for its sources, and move the cursor on.")] string? subscription = null,
        CancellationToken cancellationToken = default)
    {
        if (subscription is not null && (after is not null || source is not null || type is not null))
            throw new McpException("subscription cannot be combined with after, source or type: the subscription holds its own cursor and sources.");
        if (timeout_seconds < 0)
            throw new McpException($"timeout_seconds must not be negative (got {timeout_seconds}); use 0 to just check.");
        if (after is < 0)
            throw new McpException($"after must be an event id or a cursor, not {after}.");
        var seconds = Math.Min(timeout_seconds, MaxWaitSeconds);
        // The long-poll runs while progress is reported, so a client that asked for progress sees the wait is alive.
        // Cancelling the call (notifications/cancelled, or the bridge stopping) ends the wait in Herald too.
        var waiting = WaitAsync(after, source, type, subscription, seconds, cancellationToken);
        using (var ticker = new PeriodicTimer(options.Value.ProgressInterval))
        {
            var waited = TimeSpan.Zero;
            while (await Task.WhenAny(waiting, ticker.WaitForNextTickAsync(cancellationToken).AsTask()) != waiting && !cancellationToken.IsCancellationRequested)
            {
                waited += options.Value.ProgressInterval;
                progress.Report(new ProgressNotificationValue
                {
                    Progress = (float)waited.TotalSeconds,
                    Total = seconds,
                    Message = $"Still waiting for an event ({waited.TotalSeconds:0} of {seconds} s)",
                });
            }
        }

        var answer = await waiting;
        return new WaitResult(
            answer.TimedOut,
            answer.Event,
            answer.Cursor,
            answer.Event is { } found
                ? $"Event {found.Id}: {found.Source} {found.Type}"
                : $"No matching event within {seconds} s; wait again with after={answer.Cursor}.");
    }

    private async Task<WaitAnswer> WaitAsync(long? after, string? source, string? type, string? subscription, int seconds, CancellationToken cancellationToken) =>
        (await herald.WaitForEventAsync(after, source, type, subscription, seconds, cancellationToken)).As<WaitAnswer>();

    [McpServerTool(Name = "subscribe_to_events", Title = "Subscribe to inbound events", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Register a durable interest in events from some sources (e.g. ['github', 'stripe']), with a note of what to do when they arrive. " +
                 "Herald keeps the subscription's cursor: call wait_for_event(subscription=<name>) again and again and each event comes once, even across sessions. " +
                 "Subscribing again with the same name updates the sources and note and keeps the cursor.")]
    public async Task<SubscriptionResult> SubscribeToEventsAsync(
        [Description("The inbound sources to follow, as configured (e.g. github, stripe). Empty means every source.")] string[] sources,
        [Description("What to do when events arrive, e.g. 'Summarize new commits and notify about payments'. Returned with the subscription as a reminder.")] string? callback_description = null,
        [Description("The subscription's name (lower-case letters, digits, . _ - +). Default: the sources joined with '+', e.g. github+stripe.")] string? name = null,
        CancellationToken cancellationToken = default)
    {
        var subscribed = (await herald.SubscribeAsync(name, sources, callback_description, cancellationToken)).As<SubscriptionResponse>();
        // Subscribing again updates the subscription, which moves updated_at past created_at.
        return new SubscriptionResult(subscribed, subscribed.CreatedAt == subscribed.UpdatedAt, subscribed.Instruction);
    }

    [McpServerTool(Name = "list_subscriptions", Title = "Event subscriptions", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the event subscriptions with their sources, notes and cursors; use a name with wait_for_event(subscription=<name>).")]
    public async Task<SubscriptionList> ListSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        (await herald.ListSubscriptionsAsync(cancellationToken)).As<SubscriptionList>();

    [McpServerTool(Name = "unsubscribe_from_events", Title = "Delete a subscription", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Delete an event subscription and its cursor. Deleting one that does not exist succeeds with was_subscribed false.")]
    public async Task<UnsubscribeResult> UnsubscribeFromEventsAsync(
        [Description("The subscription's name.")] string name,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new McpException("name must name a subscription (list_subscriptions shows them).");
        var (status, _) = await herald.TryUnsubscribeAsync(name, cancellationToken);
        return status == System.Net.HttpStatusCode.NotFound
            ? new UnsubscribeResult(false, $"No subscription was named '{name}'")
            : new UnsubscribeResult(true, $"Deleted the subscription '{name}'");
    }

    /// <summary>The gateway's answer to a long-poll.</summary>
    private sealed record WaitAnswer(bool TimedOut, InboundEventView? Event, long Cursor);
}
