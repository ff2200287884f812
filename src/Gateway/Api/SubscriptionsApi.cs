using System.Text.RegularExpressions;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Inbound;
using Herald.MessageLog;
using Herald.Silo.Security;
using Herald.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>
/// Named subscriptions to inbound events (<c>subscribe_to_events</c> of the MCP event-patterns guide, made real): each keeps a cursor on
/// the server, and <c>GET /api/events/wait?subscription=…</c> resumes from it and moves it on. A subscription belongs
/// to the key that made it: another key does not see it (404), but a key with the <c>manage</c> scope lists everyone's
/// and reads or deletes another's by naming its owner (<c>?owner=</c>).
/// </summary>
public static partial class SubscriptionsApi
{
    private const int MaxSubscriptions = 1000;
    private const int MaxSources = 20;
    private const int MaxDescriptionLength = 2000;

    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/subscriptions");
        api.MapPost("/", CreateFromBodyAsync).RequireScope(ApiScopes.Read).WithName("Subscribe");
        api.MapGet("/", ListForCallerAsync).RequireScope(ApiScopes.Read).WithName("ListSubscriptions");
        api.MapGet("/{name}", GetForCallerAsync).RequireScope(ApiScopes.Read).WithName("GetSubscription");
        api.MapDelete("/{name}", DeleteForCallerAsync).RequireScope(ApiScopes.Read).WithName("Unsubscribe");
        return routes;
    }

    private static async Task<Results<Created<SubscriptionResponse>, Ok<SubscriptionResponse>, ProblemHttpResult>> CreateFromBodyAsync(
        HttpRequest request, IOptionsMonitor<InboundOptions> inbound, ISubscriptionStore subscriptions, IMessageLog log, IOptions<LimitsOptions> limits,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<SubscribeRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        return await SubscribeAsync(ApiCaller.Of(request.HttpContext), body!.Name, body.Sources, body.CallbackDescription, inbound, subscriptions, log, time, cancellationToken);
    }

    /// <summary>
    /// Creates the subscription with its cursor at the log's head (it sees what arrives from now on), or, when the
    /// name exists, updates its sources and description and keeps its cursor. Without a name, the sources name it.
    /// </summary>
    internal static async Task<Results<Created<SubscriptionResponse>, Ok<SubscriptionResponse>, ProblemHttpResult>> SubscribeAsync(
        ApiCaller caller, string? name, IReadOnlyList<string>? sources, string? description, IOptionsMonitor<InboundOptions> inbound, ISubscriptionStore subscriptions,
        IMessageLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        var wanted = (sources ?? []).Select(s => s?.Trim().ToLowerInvariant() ?? string.Empty).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (wanted.Length > MaxSources)
            return ApiProblems.Field("sources", $"must name at most {MaxSources} sources");
        var options = inbound.CurrentValue;
        if (wanted.FirstOrDefault(s => !options.Sources.ContainsKey(s) && !(options.AcceptUnknownSources && InboundOptions.IsSourceName(s))) is { } unknown)
        {
            var configured = string.Join(", ", options.Sources.Keys.Order(StringComparer.Ordinal));
            return ApiProblems.Field("sources", $"'{unknown}' is not a configured inbound source; configured: {(configured.Length == 0 ? "none" : configured)}");
        }
        name ??= wanted.Length == 0 ? "all" : string.Join('+', wanted);
        if (!SubscriptionName().IsMatch(name))
            return ApiProblems.Field("name", "must be 1 to 64 lower-case letters, digits, '.', '_', '-' or '+', starting with a letter or digit");
        if (description is { Length: > MaxDescriptionLength })
            return ApiProblems.Field("callback_description", $"must be at most {MaxDescriptionLength} characters");
        if (description is not null && description.Contains('\0', StringComparison.Ordinal))
            return ApiProblems.Field("callback_description", "must not contain NUL (U+0000) characters");
        if (await subscriptions.GetAsync(caller.Owner, name, cancellationToken) is null && await subscriptions.CountAsync(cancellationToken) >= MaxSubscriptions)
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Too many subscriptions", $"At most {MaxSubscriptions} subscriptions may exist; delete one first.");

        var now = time.GetUtcNow();
        var head = (await log.GetBoundsAsync(cancellationToken)).Head;
        var (stored, created) = await subscriptions.UpsertAsync(new EventSubscription(name, wanted, description, head, now, now, caller.Owner), cancellationToken);
        var response = SubscriptionResponse.From(stored);
        return created ? TypedResults.Created($"/api/subscriptions/{stored.Name}", response) : TypedResults.Ok(response);
    }

    /// <summary>The caller's subscriptions, or everyone's for a key that manages.</summary>
    internal static async Task<Ok<SubscriptionListResponse>> ListAsync(ApiCaller caller, ISubscriptionStore subscriptions, CancellationToken cancellationToken)
    {
        var all = await subscriptions.ListAsync(caller.Manages ? null : caller.Owner, cancellationToken);
        return TypedResults.Ok(new SubscriptionListResponse(all.Select(SubscriptionResponse.From).ToArray()));
    }

    private static Task<Ok<SubscriptionListResponse>> ListForCallerAsync(HttpContext http, ISubscriptionStore subscriptions, CancellationToken cancellationToken) =>
        ListAsync(ApiCaller.Of(http), subscriptions, cancellationToken);

    private static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> GetForCallerAsync(
        string name, string? owner, HttpContext http, ISubscriptionStore subscriptions, CancellationToken cancellationToken) =>
        Owner(ApiCaller.Of(http), owner) is { } whose && await subscriptions.GetAsync(whose, name, cancellationToken) is { } found
            ? TypedResults.Ok(SubscriptionResponse.From(found))
            : NoSuchSubscription(name);

    private static Task<Results<NoContent, ProblemHttpResult>> DeleteForCallerAsync(
        string name, string? owner, HttpContext http, ISubscriptionStore subscriptions, CancellationToken cancellationToken) =>
        DeleteAsync(ApiCaller.Of(http), name, owner, subscriptions, cancellationToken);

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        ApiCaller caller, string name, string? owner, ISubscriptionStore subscriptions, CancellationToken cancellationToken) =>
        Owner(caller, owner) is { } whose && await subscriptions.DeleteAsync(whose, name, cancellationToken) ? TypedResults.NoContent() : NoSuchSubscription(name);

    /// <summary>Whose subscription a call means: its caller's own, or, for a caller that manages, the owner it names. Null: none it may see.</summary>
    private static string? Owner(ApiCaller caller, string? owner) => owner is null || owner == caller.Owner ? caller.Owner : caller.Manages ? owner : null;

    internal static ProblemHttpResult NoSuchSubscription(string name) =>
        ApiProblems.NotFound($"No subscription is named '{name}'. Create it with POST /api/subscriptions (the subscribe_to_events tool).");

    [GeneratedRegex("^[a-z0-9][a-z0-9._+-]{0,63}$")]
    private static partial Regex SubscriptionName();
}

public sealed record SubscribeRequest(string? Name, IReadOnlyList<string>? Sources, string? CallbackDescription);

/// <summary>
/// A subscription; <see cref="Instruction"/> tells an assistant how to use it. <see cref="Owner"/> is the name of the
/// key that made it (null on a hub without keys).
/// </summary>
public sealed record SubscriptionResponse(
    string Name, IReadOnlyList<string> Sources, string? CallbackDescription, long Cursor, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Instruction,
    string? Owner)
{
    public static SubscriptionResponse From(EventSubscription s) => new(
        s.Name, s.Sources, s.Description, s.Cursor, s.CreatedAt, s.UpdatedAt,
        $"Call wait_for_event(subscription=\"{s.Name}\") to get the next event from {(s.Sources.Count == 0 ? "any source" : string.Join(", ", s.Sources))}; " +
        "Herald keeps the cursor, so nothing is missed between calls." + (s.Description is null ? string.Empty : $" {s.Description}"),
        s.Owner.Length == 0 ? null : s.Owner);
}

public sealed record SubscriptionListResponse(IReadOnlyList<SubscriptionResponse> Subscriptions);
