using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Inbound;
using Herald.Silo.Security;
using Herald.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>
/// The MCP event-patterns guide's event-triggered actions: what to do about the inbound events the rules of
/// <c>Herald:Actions</c> match (a welcome mail after a checkout, and so on), pending until someone marks them done.
/// </summary>
public static class ActionsApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private const int DefaultStripeEvents = 20;
    private const int MaxStripeEvents = 200;
    private const int MaxDetailsLength = 4000;
    private const int MaxCompletedByLength = 200;

    public static IEndpointRouteBuilder MapActionsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/actions");
        api.MapGet("/", ListAsync).RequireScope(ApiScopes.Read).WithName("ListActions");
        api.MapGet("/{id}", GetAsync).RequireScope(ApiScopes.Read).WithName("GetAction");
        api.MapPost("/{id}/complete", CompleteByIdAsync).RequireScope(ApiScopes.Manage).WithName("CompleteAction");
        api.MapPost("/complete", CompleteByTypeAsync).RequireScope(ApiScopes.Manage).WithName("CompleteActionOfType");
        routes.MapGet("/api/events/stripe", StripeEventsAsync).RequireScope(ApiScopes.Read).WithName("StripeEvents");
        return routes;
    }

    internal static async Task<Results<Ok<ActionListResponse>, ProblemHttpResult>> ListAsync(
        string? status, string? type, string? limit, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound,
        IInboundEventStore events, IActionCompletionStore completions, CancellationToken cancellationToken)
    {
        status ??= ActionView.Pending;
        if (status is not (ActionView.Pending or ActionView.Completed or "all"))
            return ApiProblems.Field("status", "must be pending, completed or all");
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return ApiProblems.Field("limit", $"must be an integer from 1 to {MaxLimit}");

        var (all, truncated) = await PendingActions.ListAsync(actions.CurrentValue, inbound.CurrentValue, events, completions, type, cancellationToken);
        var pending = all.Count(a => a.Status == ActionView.Pending);
        var chosen = all.Where(a => status == "all" || a.Status == status).ToList();
        // Pending actions are a queue, oldest first; completed ones are history, newest first.
        IEnumerable<ActionView> page = status == ActionView.Pending ? chosen.Take(take) : chosen.AsEnumerable().Reverse().Take(take);
        var listed = page.ToArray();
        return TypedResults.Ok(new ActionListResponse(listed, listed.Length, pending, truncated));
    }

    internal static async Task<Results<Ok<ActionView>, ProblemHttpResult>> GetAsync(
        string id, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound, IInboundEventStore events, IActionCompletionStore completions,
        CancellationToken cancellationToken) =>
        await FindAsync(id, actions, inbound, events, completions, cancellationToken) is { } found ? TypedResults.Ok(found) : NoSuchAction(id);

    private static async Task<Results<Ok<CompletionResponse>, ProblemHttpResult>> CompleteByIdAsync(
        string id, HttpRequest request, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound, IInboundEventStore events,
        IActionCompletionStore completions, IOptions<LimitsOptions> limits, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await OptionalBodyAsync<CompleteActionRequest>(request, limits.Value, cancellationToken);
        if (problem is not null)
            return problem;
        return await CompleteAsync(id, body?.Details, body?.CompletedBy, actions, inbound, events, completions, time, cancellationToken);
    }

    /// <summary>Marks the action done; completing it again answers the first completion, marked <c>already_completed</c>.</summary>
    internal static async Task<Results<Ok<CompletionResponse>, ProblemHttpResult>> CompleteAsync(
        string id, string? details, string? completedBy, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound,
        IInboundEventStore events, IActionCompletionStore completions, TimeProvider time, CancellationToken cancellationToken)
    {
        if (CheckCompletion(details, completedBy) is { } invalid)
            return invalid;
        if (await FindAsync(id, actions, inbound, events, completions, cancellationToken) is not { } found)
            return NoSuchAction(id);
        var (completion, created) = await completions.CompleteAsync(
            new ActionCompletion(found.EventId, found.Type, completedBy ?? "api", details, time.GetUtcNow()), cancellationToken);
        return TypedResults.Ok(Completed(found, completion, created));
    }

    private static async Task<Results<Ok<CompletionResponse>, ProblemHttpResult>> CompleteByTypeAsync(
        HttpRequest request, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound, IInboundEventStore events,
        IActionCompletionStore completions, IOptions<LimitsOptions> limits, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CompleteActionTypeRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        return await CompleteOldestAsync(body!.ActionType, body.Details, body.CompletedBy, actions, inbound, events, completions, time, cancellationToken);
    }

    /// <summary>
    /// The event-patterns guide's <c>mark_action_complete(action_type, details)</c>: completes the oldest pending action of the type.
    /// Two callers at once complete two different actions: the one that loses the race moves on to the next.
    /// </summary>
    internal static async Task<Results<Ok<CompletionResponse>, ProblemHttpResult>> CompleteOldestAsync(
        string? actionType, string? details, string? completedBy, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound,
        IInboundEventStore events, IActionCompletionStore completions, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(actionType))
            return ApiProblems.Field("action_type", "is required: the type of the pending action, e.g. send_welcome_email");
        if (CheckCompletion(details, completedBy) is { } invalid)
            return invalid;
        if (!actions.CurrentValue.EffectiveRules.Any(r => r.Action == actionType))
        {
            var known = string.Join(", ", actions.CurrentValue.EffectiveRules.Select(r => r.Action).Distinct());
            return ApiProblems.Field("action_type", $"'{actionType}' is not an action any rule makes; the rules make {(known.Length == 0 ? "none" : known)}");
        }

        var (all, _) = await PendingActions.ListAsync(actions.CurrentValue, inbound.CurrentValue, events, completions, actionType, cancellationToken);
        foreach (var candidate in all.Where(a => a.Status == ActionView.Pending))
        {
            var (completion, created) = await completions.CompleteAsync(
                new ActionCompletion(candidate.EventId, candidate.Type, completedBy ?? "api", details, time.GetUtcNow()), cancellationToken);
            if (created)
                return TypedResults.Ok(Completed(candidate, completion, created));
        }

        return ApiProblems.NotFound($"No action of type '{actionType}' is pending.");
    }

    /// <summary>The event-patterns guide's processed Stripe events: the newest events of the stripe-scheme sources, each with the actions it made.</summary>
    internal static async Task<Results<Ok<StripeEventListResponse>, ProblemHttpResult>> StripeEventsAsync(
        string? limit, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound, IInboundEventStore events,
        IActionCompletionStore completions, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultStripeEvents, 1, MaxStripeEvents) is not { } take)
            return ApiProblems.Field("limit", $"must be an integer from 1 to {MaxStripeEvents}");
        var sources = InboundScan.SourcesWithScheme(inbound.CurrentValue, SignatureSchemes.Stripe);
        var stored = sources.Length == 0 ? [] : await events.QueryAsync(new InboundQuery(null, null, null, null, take, Newest: true, Sources: sources), cancellationToken);
        var done = (await completions.FindAsync(stored.Select(e => e.Id).ToArray(), cancellationToken)).ToDictionary(c => (c.EventId, c.Action));
        var listed = stored.Select(e => new StripeEventView(
            EventResponse.From(e, includePayload: false), PendingActions.Of(e, actions.CurrentValue, inbound.CurrentValue, done).ToArray())).ToArray();
        return TypedResults.Ok(new StripeEventListResponse(listed, listed.Length));
    }

    private static async Task<ActionView?> FindAsync(
        string id, IOptionsMonitor<ActionOptions> actions, IOptionsMonitor<InboundOptions> inbound, IInboundEventStore events, IActionCompletionStore completions,
        CancellationToken cancellationToken) =>
        PendingActions.TryParseId(id, out var eventId, out var action)
            ? await PendingActions.FindAsync(eventId, action, actions.CurrentValue, inbound.CurrentValue, events, completions, cancellationToken)
            : null;

    private static ProblemHttpResult NoSuchAction(string id) =>
        ApiProblems.NotFound($"No action has the id '{id}'. Action ids look like act_<event id>_<action>, as GET /api/actions lists them.");

    private static ProblemHttpResult? CheckCompletion(string? details, string? completedBy)
    {
        if (details is { Length: > MaxDetailsLength })
            return ApiProblems.Field("details", $"must be at most {MaxDetailsLength} characters");
        if (completedBy is not null && (string.IsNullOrWhiteSpace(completedBy) || completedBy.Length > MaxCompletedByLength))
            return ApiProblems.Field("completed_by", $"must be a name of 1 to {MaxCompletedByLength} characters");
        if ((details ?? string.Empty).Contains('\0', StringComparison.Ordinal) || (completedBy ?? string.Empty).Contains('\0', StringComparison.Ordinal))
            return ApiProblems.Field("details", "must not contain NUL (U+0000) characters");
        return null;
    }

    private static CompletionResponse Completed(ActionView action, ActionCompletion completion, bool created) => new(
        created ? ActionView.Completed : "already_completed",
        action with { Status = ActionView.Completed, CompletedAt = completion.CompletedAt, CompletedBy = completion.CompletedBy, Details = completion.Details });

    /// <summary>An absent or empty body is no details; anything else must be the JSON object.</summary>
    private static async Task<(T? Value, ProblemHttpResult? Problem)> OptionalBodyAsync<T>(HttpRequest request, LimitsOptions limits, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
            return (null, null);
        return await JsonBody.ReadAsync<T>(request, limits.MaxBodyBytes, cancellationToken);
    }
}

public sealed record CompleteActionRequest(string? Details, string? CompletedBy);

public sealed record CompleteActionTypeRequest(string? ActionType, string? Details, string? CompletedBy);

public sealed record ActionListResponse(IReadOnlyList<ActionView> Actions, int Count, int Pending, bool Truncated);

/// <summary><see cref="Status"/> is <c>completed</c>, or <c>already_completed</c> when an earlier call completed it.</summary>
public sealed record CompletionResponse(string Status, ActionView Action);

public sealed record StripeEventView(EventResponse Event, IReadOnlyList<ActionView> Actions);

public sealed record StripeEventListResponse(IReadOnlyList<StripeEventView> Events, int Count);
