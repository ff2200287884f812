using System.Globalization;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Delivery;
using Herald.Grains.Webhooks;
using Herald.Silo.Security;
using Herald.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>Endpoints by id: topics, secrets, custom headers, status, the attempt log, replay and re-enable.</summary>
public static class EndpointsApi
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;
    private const int DefaultAttemptLimit = 50;
    private const int MaxAttemptLimit = 1000;

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
        HttpRequest request, EndpointFactory factory, EndpointStatusReader statuses, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateEndpointRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        return await RegisterAsync(body!, factory, statuses, limits.Value, cancellationToken);
    }

    internal static async Task<Results<Created<EndpointStatus>, ProblemHttpResult>> RegisterAsync(
        CreateEndpointRequest body, EndpointFactory factory, EndpointStatusReader statuses, LimitsOptions settings, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        void Check(string field, string? error)
        {
            if (error is not null)
                errors[field] = [error];
        }

        Check("url", RequestRules.Url(body.Url, settings));
        Check("topics", RequestRules.TopicPatterns(body.Topics, settings));
        Check("secret", RequestRules.Secret(body.Secret));
        Check("headers", RequestRules.Headers(body.Headers, settings));
        if (body.Description?.Length > settings.MaxDescriptionLength)
            Check("description", $"must be at most {settings.MaxDescriptionLength} characters");
        if (errors.Count > 0)
            return ApiProblems.Fields(errors);

        var url = body.Url!.Trim();
        if (await factory.UnreachableAsync(url, cancellationToken) is { } unreachable)
            return ApiProblems.Field("url", unreachable);
        var secret = body.Secret ?? WebhookSignature.NewSecret();
        var topics = body.Topics?.Select(t => t!.Trim()).Distinct().ToArray() ?? [];
        var headers = body.Headers?.ToDictionary(h => h.Key, h => h.Value!, StringComparer.OrdinalIgnoreCase);
        var (endpoint, created, limitProblem) = await factory.CreateAsync(url, topics, secret, headers, body.Description, cancellationToken);
        if (limitProblem is not null)
            return limitProblem;
        if (!created)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Already registered",
                $"'{url}' is registered already as endpoint {endpoint!.Id}.", new Dictionary<string, object?> { ["endpoint_id"] = endpoint.Id });
        }

        var status = await statuses.BuildAsync(endpoint!, cancellationToken);
        return TypedResults.Created($"/api/endpoints/{endpoint!.Id}", status with { Secret = secret });
    }

    internal static async Task<Results<Ok<EndpointListResponse>, ProblemHttpResult>> ListAsync(
        string? limit, string? after, string? url, EndpointStatusReader statuses, CancellationToken cancellationToken)
    {
        var take = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take < 1 || take > MaxPageSize))
            return ApiProblems.Field("limit", $"must be an integer from 1 to {MaxPageSize}");
        long cursor = 0;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
            return ApiProblems.Field("after", "must be the 'next' of the previous page");

        var page = await statuses.ListAsync(cursor, take, url?.Trim(), cancellationToken);
        return TypedResults.Ok(new EndpointListResponse(page.Endpoints, page.Total, page.Next));
    }

    internal static async Task<Results<Ok<EndpointStatus>, ProblemHttpResult>> GetAsync(
        string id, EndpointStatusReader statuses, CancellationToken cancellationToken) =>
        await statuses.GetAsync(id, cancellationToken) is { } status ? TypedResults.Ok(status) : Missing(id);

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, IEndpointRegistry registry, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (await registry.GetAsync(id, cancellationToken) is null)
            return Missing(id);

        // Its answer is not checked: a grain call retried after a lost answer finds the endpoint already gone.
        await grains.GetGrain<IWebhookGrain>(id).DeleteAsync();
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<AttemptListResponse>, ProblemHttpResult>> AttemptsAsync(
        string id, string? limit, IEndpointRegistry registry, IAttemptLog attempts, CancellationToken cancellationToken)
    {
        var take = DefaultAttemptLimit;
        if (limit is not null && (!int.TryParse(limit, out take) || take < 1 || take > MaxAttemptLimit))
            return ApiProblems.Field("limit", $"must be an integer from 1 to {MaxAttemptLimit}");
        if (await registry.GetAsync(id, cancellationToken) is null)
            return Missing(id);
        var (list, total) = await attempts.ListAsync(id, take, cancellationToken);
        return TypedResults.Ok(new AttemptListResponse(list, total));
    }

    private static async Task<Results<Accepted<ReplayResult>, ProblemHttpResult>> ReplayAsync(
        string id, HttpRequest request, IEndpointRegistry registry, IGrainFactory grains, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReplayApiRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        if (body!.FromId is null == body.Since is null)
            return ApiProblems.Field("from_id", "give exactly one of from_id (a message id) or since (an ISO-8601 time)");
        if (body.FromId < 1)
            return ApiProblems.Field("from_id", "must be a message id of 1 or more");
        if (await registry.GetAsync(id, cancellationToken) is null)
            return Missing(id);

        var result = await grains.GetGrain<IWebhookGrain>(id).ReplayAsync(new ReplayRequest(body.FromId, body.Since));
        return result is null ? Missing(id) : TypedResults.Accepted($"/api/endpoints/{id}", result);
    }

    private static async Task<Results<Ok<EndpointStatus>, ProblemHttpResult>> EnableAsync(
        string id, IEndpointRegistry registry, IGrainFactory grains, EndpointStatusReader statuses, CancellationToken cancellationToken)
    {
        // Checked first so that unknown ids never activate a grain.
        if (await registry.GetAsync(id, cancellationToken) is null || !await grains.GetGrain<IWebhookGrain>(id).EnableAsync())
            return Missing(id);
        return await statuses.GetAsync(id, cancellationToken) is { } status ? TypedResults.Ok(status) : Missing(id);
    }

    private static ProblemHttpResult Missing(string id) => ApiProblems.NotFound($"No endpoint has the id '{id}'.");
}
