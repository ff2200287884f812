using Herald.Application;
using Herald.Application.Subscriptions;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>
/// The routes of <see cref="SubscriptionUseCases"/>: named subscriptions to inbound events, each with a cursor the
/// server keeps (<c>GET /api/events/wait?subscription=…</c> resumes from it). Another key does not see a caller's
/// subscription (404); a key with the <c>manage</c> scope names its owner with <c>?owner=</c>.
/// </summary>
public static class SubscriptionsApi
{
    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/subscriptions");
        api.MapPost("/", SubscribeAsync).RequireScope(ApiScopes.Read).WithName("Subscribe");
        api.MapGet("/", ListAsync).RequireScope(ApiScopes.Read).WithName("ListSubscriptions");
        api.MapGet("/{name}", GetAsync).RequireScope(ApiScopes.Read).WithName("GetSubscription");
        api.MapDelete("/{name}", DeleteAsync).RequireScope(ApiScopes.Read).WithName("Unsubscribe");
        return routes;
    }

    private static async Task<Results<Created<SubscriptionResponse>, Ok<SubscriptionResponse>, ProblemHttpResult>> SubscribeAsync(
        HttpRequest request, SubscriptionUseCases subscriptions, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<SubscribeRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        var outcome = await subscriptions.SubscribeAsync(ApiCallers.Of(request.HttpContext), body!.Name, body.Sources, body.CallbackDescription, cancellationToken);
        return outcome switch
        {
            { Error: { } error } => error.ToProblem(),
            { Value: { Created: true, Subscription: var created } } => TypedResults.Created($"/api/subscriptions/{created.Name}", created),
            _ => TypedResults.Ok(outcome.Value!.Subscription),
        };
    }

    private static async Task<Ok<SubscriptionListResponse>> ListAsync(HttpContext http, SubscriptionUseCases subscriptions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await subscriptions.ListAsync(ApiCallers.Of(http), cancellationToken));

    private static Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> GetAsync(
        string name, string? owner, HttpContext http, SubscriptionUseCases subscriptions, CancellationToken cancellationToken) =>
        subscriptions.GetAsync(ApiCallers.Of(http), name, owner, cancellationToken).ToHttp();

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, string? owner, HttpContext http, SubscriptionUseCases subscriptions, CancellationToken cancellationToken) =>
        await subscriptions.DeleteAsync(ApiCallers.Of(http), name, owner, cancellationToken) is { Error: { } error } ? error.ToProblem() : TypedResults.NoContent();
}

public sealed record SubscribeRequest(string? Name, IReadOnlyList<string>? Sources, string? CallbackDescription);
