using Herald.Contracts;
using Herald.Grains.Inbound;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Application.Actions;

/// <summary>
/// The MCP event-patterns guide's event-triggered actions: what to do about the inbound events the rules of
/// <c>Herald:Actions</c> match (a welcome mail after a checkout, and so on), pending until someone marks them done.
/// </summary>
public sealed class ActionUseCases(
    IInboundEventStore events, IActionCompletionStore completions, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound,
    TimeProvider time)
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private const int DefaultStripeEvents = 20;
    private const int MaxStripeEvents = 200;
    private const int MaxDetailsLength = 4000;
    private const int MaxCompletedByLength = 200;

    public async Task<Outcome<ActionListResponse>> ListAsync(string? status, string? type, string? limit, CancellationToken cancellationToken)
    {
        status ??= ActionView.Pending;
        if (status is not (ActionView.Pending or ActionView.Completed or "all"))
            return UseCaseError.Field("status", "must be pending, completed or all");
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxLimit}");

        var (all, truncated) = await PendingActions.ListAsync(actions.CurrentValue, inbound.CurrentValue, events, completions, type, cancellationToken);
        var pending = all.Count(a => a.Status == ActionView.Pending);
        var chosen = all.Where(a => status == "all" || a.Status == status).ToList();
        // Pending actions are a queue, oldest first; completed ones are history, newest first.
        IEnumerable<ActionView> page = status == ActionView.Pending ? chosen.Take(take) : chosen.AsEnumerable().Reverse().Take(take);
        var listed = page.ToArray();
        return new ActionListResponse(listed, listed.Length, pending, truncated);
    }

    public async Task<Outcome<ActionView>> GetAsync(string id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken) is { } found ? found : NoSuchAction(id);

    /// <summary>Marks the action done; completing it again answers the first completion, marked <c>already_completed</c>.</summary>
    public async Task<Outcome<CompletionResponse>> CompleteAsync(string id, string? details, string? completedBy, CancellationToken cancellationToken)
    {
        if (CheckCompletion(details, completedBy) is { } invalid)
            return invalid;
        if (await FindAsync(id, cancellationToken) is not { } found)
            return NoSuchAction(id);
        var (completion, created) = await completions.CompleteAsync(
            new ActionCompletion(found.EventId, found.Type, completedBy ?? "api", details, time.GetUtcNow()), cancellationToken);
        return Completed(found, completion, created);
    }

    /// <summary>
    /// The event-patterns guide's <c>mark_action_complete(action_type, details)</c>: completes the oldest pending action of the type.
    /// Two callers at once complete two different actions: the one that loses the race moves on to the next.
    /// </summary>
    public async Task<Outcome<CompletionResponse>> CompleteOldestAsync(string? actionType, string? details, string? completedBy, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(actionType))
            return UseCaseError.Field("action_type", "is required: the type of the pending action, e.g. send_welcome_email");
        if (CheckCompletion(details, completedBy) is { } invalid)
            return invalid;
        if (!actions.CurrentValue.EffectiveRules.Any(r => r.Action == actionType))
        {
            var known = string.Join(", ", actions.CurrentValue.EffectiveRules.Select(r => r.Action).Distinct());
            return UseCaseError.Field("action_type", $"'{actionType}' is not an action any rule makes; the rules make {(known.Length == 0 ? "none" : known)}");
        }

        var (all, _) = await PendingActions.ListAsync(actions.CurrentValue, inbound.CurrentValue, events, completions, actionType, cancellationToken);
        foreach (var candidate in all.Where(a => a.Status == ActionView.Pending))
        {
            var (completion, created) = await completions.CompleteAsync(
                new ActionCompletion(candidate.EventId, candidate.Type, completedBy ?? "api", details, time.GetUtcNow()), cancellationToken);
            if (created)
                return Completed(candidate, completion, created);
        }

        return UseCaseError.NotFound($"No action of type '{actionType}' is pending.");
    }

    /// <summary>The event-patterns guide's processed Stripe events: the newest events of the stripe-scheme sources, each with the actions it made.</summary>
    public async Task<Outcome<StripeEventListResponse>> StripeEventsAsync(string? limit, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultStripeEvents, 1, MaxStripeEvents) is not { } take)
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxStripeEvents}");
        var sources = InboundScan.SourcesWithScheme(inbound.CurrentValue, SignatureSchemes.Stripe);
        var stored = sources.Length == 0 ? [] : await events.QueryAsync(new InboundQuery(null, null, null, null, take, Newest: true, Sources: sources), cancellationToken);
        var done = (await completions.FindAsync(stored.Select(e => e.Id).ToArray(), cancellationToken)).ToDictionary(c => (c.EventId, c.Action));
        var listed = stored.Select(e => new StripeEventView(
            EventResponse.From(e, includePayload: false), PendingActions.Of(e, actions.CurrentValue, inbound.CurrentValue, done).ToArray())).ToArray();
        return new StripeEventListResponse(listed, listed.Length);
    }

    private async Task<ActionView?> FindAsync(string id, CancellationToken cancellationToken) =>
        PendingActions.TryParseId(id, out var eventId, out var action)
            ? await PendingActions.FindAsync(eventId, action, actions.CurrentValue, inbound.CurrentValue, events, completions, cancellationToken)
            : null;

    private static UseCaseError NoSuchAction(string id) =>
        UseCaseError.NotFound($"No action has the id '{id}'. Action ids look like act_<event id>_<action>, as GET /api/actions lists them.");

    private static UseCaseError? CheckCompletion(string? details, string? completedBy)
    {
        if (details is { Length: > MaxDetailsLength })
            return UseCaseError.Field("details", $"must be at most {MaxDetailsLength} characters");
        if (completedBy is not null && (string.IsNullOrWhiteSpace(completedBy) || completedBy.Length > MaxCompletedByLength))
            return UseCaseError.Field("completed_by", $"must be a name of 1 to {MaxCompletedByLength} characters");
        if ((details ?? string.Empty).Contains('\0', StringComparison.Ordinal) || (completedBy ?? string.Empty).Contains('\0', StringComparison.Ordinal))
            return UseCaseError.Field("details", "must not contain NUL (U+0000) characters");
        return null;
    }

    private static CompletionResponse Completed(ActionView action, ActionCompletion completion, bool created) => new(
        created ? ActionView.Completed : "already_completed",
        action with { Status = ActionView.Completed, CompletedAt = completion.CompletedAt, CompletedBy = completion.CompletedBy, Details = completion.Details });
}
