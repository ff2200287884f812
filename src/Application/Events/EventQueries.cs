using System.Globalization;
using System.Text.Json;
using Herald.Application.Actions;
using Herald.Application.Subscriptions;
using Herald.Contracts;
using Herald.Grains.Inbound;
using Herald.MessageLog;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Application.Events;

/// <summary>Query and long-poll the stored inbound events.</summary>
public sealed class EventQueries(
    IInboundEventStore store, IActionCompletionStore completions, ISubscriptionStore subscriptions, IMessageLog log,
    IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound, TimeProvider time)
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 1000;
    private const int MaxWaitSeconds = 55;
    private const int DefaultWaitSeconds = 30;

    /// <summary>The newest events, or with <paramref name="since"/> (an id or a time) the ones after it, oldest first.</summary>
    public async Task<Outcome<EventListResponse>> ListAsync(
        string? source, string? type, string? since, string? limit, bool includePayload, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxLimit}");
        long? afterId = null;
        DateTimeOffset? sinceTime = null;
        if (since is not null)
        {
            if (long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                afterId = id;
            else if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                sinceTime = at;
            else
                return UseCaseError.Field("since", "must be an event id (to page after it) or an ISO-8601 time");
        }

        // Without a starting point the newest events are the useful ones; with one, paging goes forward.
        var events = await store.QueryAsync(new InboundQuery(source?.ToLowerInvariant(), type, afterId, sinceTime, take, Newest: since is null), cancellationToken);
        var cursor = events.Count > 0 ? events[^1].Id : afterId;
        return new EventListResponse(events.Select(e => EventResponse.From(e, includePayload)).ToArray(), events.Count, cursor);
    }

    public async Task<Outcome<EventResponse>> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId) || await store.GetAsync(eventId, cancellationToken) is not { } found)
            return UseCaseError.NotFound($"No inbound event has the id '{id}'.");
        return EventResponse.From(found, includePayload: true);
    }

    public async Task<SourceListResponse> SourcesAsync(CancellationToken cancellationToken)
    {
        var sources = await store.SourcesAsync(cancellationToken);
        return new SourceListResponse(sources.Select(s => new SourceResponse(s.Source, s.Count, s.LastSeen)).ToArray());
    }

    public async Task<Outcome<SummaryResponse>> SummaryAsync(string? source, string? hours, CancellationToken cancellationToken)
    {
        if (QueryNumber.Hours(hours) is not { } window)
            return UseCaseError.Field("hours", $"must be an integer from 1 to {QueryNumber.MaxHours}");
        var since = time.GetUtcNow().AddHours(-window);
        var counts = await store.CountsAsync(source?.ToLowerInvariant(), since, cancellationToken);
        var bySource = counts.GroupBy(c => c.Source).ToDictionary(
            g => g.Key,
            g => new SourceSummary(g.Sum(c => c.Count), g.ToDictionary(c => c.Type ?? "(none)", c => c.Count)));
        var (derived, _) = await PendingActions.ListAsync(actions.CurrentValue, inbound.CurrentValue, store, completions, actionType: null, cancellationToken);
        var pending = derived.Count(a => a.Status == ActionView.Pending && (source is null || string.Equals(a.Source, source, StringComparison.OrdinalIgnoreCase)));
        return new SummaryResponse(window, since, counts.Sum(c => c.Count), bySource, pending);
    }

    public async Task<Outcome<GitHubActivity>> GitHubActivityAsync(string? repo, string? hours, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(repo) || !repo.Contains('/', StringComparison.Ordinal))
            return UseCaseError.Field("repo", "is required, as owner/name");
        if (QueryNumber.Hours(hours) is not { } window)
            return UseCaseError.Field("hours", $"must be an integer from 1 to {QueryNumber.MaxHours}");

        var since = time.GetUtcNow().AddHours(-window);
        var events = await store.QueryAsync(new InboundQuery(null, null, null, since, InboundScan.ScanLimit), cancellationToken);
        return GitHubActivities.Of(repo, window, since, events, truncated: events.Count == InboundScan.ScanLimit);
    }

    /// <summary>The repositories the GitHub sources have sent events about, busiest first.</summary>
    public async Task<TrackedReposResponse> TrackedReposAsync(CancellationToken cancellationToken)
    {
        var query = new InboundQuery(null, null, null, null, 0, Sources: InboundScan.SourcesWithScheme(inbound.CurrentValue, SignatureSchemes.GitHub));
        var scan = await InboundScan.NewestAsync<(string Repo, DateTimeOffset ReceivedAt)>(
            store, query, e => RepoOf(e) is { } repo ? [(repo, e.ReceivedAt)] : [], InboundScan.ScanLimit, cancellationToken);
        var repos = scan.Records.GroupBy(r => r.Repo, StringComparer.OrdinalIgnoreCase)
            .Select(g => new TrackedRepo(g.First().Repo, g.Count(), g.Max(r => r.ReceivedAt)))
            .OrderByDescending(r => r.Events).ThenBy(r => r.Repo, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new TrackedReposResponse(repos, scan.Truncated);
    }

    /// <summary>
    /// The first matching event after the cursor, as soon as it is stored on any gateway: woken by the log's
    /// append notification, not by polling. On timeout the answer carries the cursor to wait from next, so a
    /// caller that loops never misses an event.
    /// </summary>
    public async Task<Outcome<WaitResponse>> WaitAsync(
        ApiCaller caller, string? after, string? source, string? type, string? timeout, string? subscription, CancellationToken cancellationToken)
    {
        var seconds = DefaultWaitSeconds;
        if (timeout is not null && (!int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds > MaxWaitSeconds))
            return UseCaseError.Field("timeout", $"must be a whole number of seconds from 0 to {MaxWaitSeconds}");
        EventSubscription? subscribed = null;
        long cursor;
        if (subscription is not null)
        {
            if (after is not null || source is not null || type is not null)
                return UseCaseError.Field("subscription", "cannot be combined with after, source or type: the subscription holds its own cursor and sources");
            if (await subscriptions.GetAsync(caller.Owner, subscription, cancellationToken) is not { } found)
                return SubscriptionUseCases.NoSuchSubscription(subscription);
            (subscribed, cursor) = (found, found.Cursor);
        }
        else if (after is null)
            cursor = (await log.GetBoundsAsync(cancellationToken)).Head;
        else if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
            return UseCaseError.Field("after", "must be an event id (the cursor a previous call returned)");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
        var query = new InboundQuery(source?.ToLowerInvariant(), type, cursor, null, 1, Sources: subscribed?.Sources is { Count: > 0 } covered ? covered : null);
        try
        {
            while (true)
            {
                // The head is read first: whatever is at or below it is visible to the query that follows.
                var head = (await log.GetBoundsAsync(deadline.Token)).Head;
                var found = await store.QueryAsync(query, deadline.Token);
                if (found.Count > 0)
                {
                    // Moved on only once the event is in hand: a wait that is cancelled before leaves it to the next one.
                    if (subscribed is not null)
                        await subscriptions.AdvanceAsync(subscribed.Owner, subscribed.Name, found[0].Id, CancellationToken.None);
                    return new WaitResponse(false, EventResponse.From(found[0], includePayload: true), found[0].Id);
                }
                cursor = Math.Max(cursor, head);
                query = query with { AfterId = cursor };
                await log.WaitForAppendAsync(head, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing up to the cursor matched, so the subscription may skip to it.
            if (subscribed is not null)
                await subscriptions.AdvanceAsync(subscribed.Owner, subscribed.Name, cursor, CancellationToken.None);
            return new WaitResponse(true, null, cursor);
        }
    }

    private static string? RepoOf(InboundEvent e)
    {
        using var summary = JsonDocument.Parse(e.Summary);
        return SummaryJson.String(summary.RootElement, "repo");
    }
}
