using Herald.Application;
using Herald.Application.Actions;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>The routes of <see cref="ActionUseCases"/>: the actions the rules derive from inbound events, and their completion.</summary>
public static class ActionsApi
{
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

    private static Task<Results<Ok<ActionListResponse>, ProblemHttpResult>> ListAsync(
        string? status, string? type, string? limit, ActionUseCases actions, CancellationToken cancellationToken) =>
        actions.ListAsync(status, type, limit, cancellationToken).ToHttp();

    private static Task<Results<Ok<ActionView>, ProblemHttpResult>> GetAsync(string id, ActionUseCases actions, CancellationToken cancellationToken) =>
        actions.GetAsync(id, cancellationToken).ToHttp();

    private static async Task<Results<Ok<CompletionResponse>, ProblemHttpResult>> CompleteByIdAsync(
        string id, HttpRequest request, ActionUseCases actions, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await OptionalBodyAsync<CompleteActionRequest>(request, limits.Value, cancellationToken);
        if (problem is not null)
            return problem;
        return await actions.CompleteAsync(id, body?.Details, body?.CompletedBy, cancellationToken).ToHttp();
    }

    private static async Task<Results<Ok<CompletionResponse>, ProblemHttpResult>> CompleteByTypeAsync(
        HttpRequest request, ActionUseCases actions, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CompleteActionTypeRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        return await actions.CompleteOldestAsync(body!.ActionType, body.Details, body.CompletedBy, cancellationToken).ToHttp();
    }

    private static Task<Results<Ok<StripeEventListResponse>, ProblemHttpResult>> StripeEventsAsync(
        string? limit, ActionUseCases actions, CancellationToken cancellationToken) =>
        actions.StripeEventsAsync(limit, cancellationToken).ToHttp();

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
