using Herald.Application;
using Herald.Application.Endpoints;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>The routes of <see cref="EndpointUseCases"/> by id: topics, secrets, custom headers, status, the attempt log, replay and re-enable.</summary>
public static class EndpointsApi
{
    public static IEndpointRouteBuilder MapEndpointsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/endpoints");
        api.MapPost("/", CreateAsync).WithName("CreateEndpoint").RequireScope(ApiScopes.Manage);
        api.MapGet("/", ListAsync).WithName("ListEndpoints").RequireScope(ApiScopes.Read);
        api.MapGet("/{id}", GetAsync).WithName("GetEndpoint").RequireScope(ApiScopes.Read);
        api.MapDelete("/{id}", DeleteAsync).WithName("DeleteEndpoint").RequireScope(ApiScopes.Manage);
        api.MapGet("/{id}/attempts", AttemptsAsync).WithName("ListAttempts").RequireScope(ApiScopes.Read);
        api.MapPost("/{id}/replay", ReplayAsync).WithName("ReplayEndpoint").RequireScope(ApiScopes.Manage);
        api.MapPost("/{id}/enable", EnableAsync).WithName("EnableEndpoint").RequireScope(ApiScopes.Manage);
        return routes;
    }

    private static async Task<Results<Created<EndpointStatus>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, EndpointUseCases endpoints, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateEndpointRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        var outcome = await endpoints.RegisterAsync(body!.Url, body.Topics, body.Secret, body.Headers, body.Description, cancellationToken);
        return outcome is { Error: { } error } ? error.ToProblem() : TypedResults.Created($"/api/endpoints/{outcome.Value!.Id}", outcome.Value);
    }

    private static Task<Results<Ok<EndpointListResponse>, ProblemHttpResult>> ListAsync(
        string? limit, string? after, string? url, EndpointUseCases endpoints, CancellationToken cancellationToken) =>
        endpoints.ListAsync(limit, after, url, cancellationToken).ToHttp();

    private static Task<Results<Ok<EndpointStatus>, ProblemHttpResult>> GetAsync(string id, EndpointUseCases endpoints, CancellationToken cancellationToken) =>
        endpoints.GetAsync(id, cancellationToken).ToHttp();

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, EndpointUseCases endpoints, CancellationToken cancellationToken) =>
        await endpoints.DeleteAsync(id, cancellationToken) is { Error: { } error } ? error.ToProblem() : TypedResults.NoContent();

    private static Task<Results<Ok<AttemptListResponse>, ProblemHttpResult>> AttemptsAsync(
        string id, string? limit, EndpointUseCases endpoints, CancellationToken cancellationToken) =>
        endpoints.AttemptsAsync(id, limit, cancellationToken).ToHttp();

    private static async Task<Results<Accepted<ReplayResult>, ProblemHttpResult>> ReplayAsync(
        string id, HttpRequest request, EndpointUseCases endpoints, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReplayApiRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        var outcome = await endpoints.ReplayAsync(id, body!.FromId, body.Since, cancellationToken);
        return outcome is { Error: { } error } ? error.ToProblem() : TypedResults.Accepted($"/api/endpoints/{id}", outcome.Value);
    }

    private static Task<Results<Ok<EndpointStatus>, ProblemHttpResult>> EnableAsync(string id, EndpointUseCases endpoints, CancellationToken cancellationToken) =>
        endpoints.EnableAsync(id, cancellationToken).ToHttp();
}
