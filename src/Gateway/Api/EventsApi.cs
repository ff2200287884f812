using Herald.Application.Events;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Api;

/// <summary>The routes of <see cref="EventQueries"/>: query and long-poll the stored inbound events.</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/events").RequireScope(ApiScopes.Read);
        api.MapGet("/", ListAsync).WithName("ListEvents");
        api.MapGet("/sources", SourcesAsync).WithName("EventSources");
        api.MapGet("/summary", SummaryAsync).WithName("EventSummary");
        api.MapGet("/wait", WaitAsync).WithName("WaitForEvent");
        api.MapGet("/github/activity", GitHubActivityAsync).WithName("GitHubActivity");
        api.MapGet("/github/repos", TrackedReposAsync).WithName("TrackedRepos");
        api.MapGet("/{id}", GetAsync).WithName("GetEvent");
        return routes;
    }

    private static Task<Results<Ok<EventListResponse>, ProblemHttpResult>> ListAsync(
        string? source, string? type, string? since, string? limit, bool? includePayload, EventQueries events, CancellationToken cancellationToken) =>
        events.ListAsync(source, type, since, limit, includePayload ?? false, cancellationToken).ToHttp();

    private static Task<Results<Ok<EventResponse>, ProblemHttpResult>> GetAsync(string id, EventQueries events, CancellationToken cancellationToken) =>
        events.GetAsync(id, cancellationToken).ToHttp();

    private static async Task<Ok<SourceListResponse>> SourcesAsync(EventQueries events, CancellationToken cancellationToken) =>
        TypedResults.Ok(await events.SourcesAsync(cancellationToken));

    private static Task<Results<Ok<SummaryResponse>, ProblemHttpResult>> SummaryAsync(
        string? source, string? hours, EventQueries events, CancellationToken cancellationToken) =>
        events.SummaryAsync(source, hours, cancellationToken).ToHttp();

    private static Task<Results<Ok<GitHubActivity>, ProblemHttpResult>> GitHubActivityAsync(
        string? repo, string? hours, EventQueries events, CancellationToken cancellationToken) =>
        events.GitHubActivityAsync(repo, hours, cancellationToken).ToHttp();

    private static async Task<Ok<TrackedReposResponse>> TrackedReposAsync(EventQueries events, CancellationToken cancellationToken) =>
        TypedResults.Ok(await events.TrackedReposAsync(cancellationToken));

    private static Task<Results<Ok<WaitResponse>, ProblemHttpResult>> WaitAsync(
        HttpContext http, string? after, string? source, string? type, string? timeout, string? subscription, EventQueries events, CancellationToken cancellationToken) =>
        events.WaitAsync(ApiCallers.Of(http), after, source, type, timeout, subscription, cancellationToken).ToHttp();
}
