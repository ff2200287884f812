using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Silo.Security;
using Herald.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>WebhookMCP's API: webhooks identified by URL, with the exact response shapes of that server.</summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api");
        api.MapPost("/register", RegisterAsync).WithName("Register").RequireScope(ApiScopes.Manage);
        api.MapPost("/unregister", UnregisterAsync).WithName("Unregister").RequireScope(ApiScopes.Manage);
        api.MapGet("/webhooks", ListAsync).WithName("ListWebhooks").RequireScope(ApiScopes.Read);
        return routes;
    }

    private static async Task<Results<Ok<WebhookUrlResponse>, ProblemHttpResult>> RegisterAsync(
        HttpRequest request, EndpointFactory endpoints, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<WebhookUrlRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        if (RequestRules.Url(body!.WebhookUrl, limits.Value) is { } urlError)
            return ApiProblems.Field("webhook_url", urlError);

        var url = body.WebhookUrl!.Trim();
        if (await endpoints.UnreachableAsync(url, cancellationToken) is { } unreachable)
            return ApiProblems.Field("webhook_url", unreachable);
        var (_, _, limitProblem) = await endpoints.CreateAsync(url, topics: [], secret: null, headers: null, description: null, cancellationToken);
        if (limitProblem is not null)
            return limitProblem;
        return TypedResults.Ok(new WebhookUrlResponse("success", url, await endpoints.CountAsync(cancellationToken)));
    }

    private static async Task<Results<Ok<WebhookUrlResponse>, ProblemHttpResult>> UnregisterAsync(
        HttpRequest request, IEndpointRegistry registry, IGrainFactory grains, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<WebhookUrlRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        return await UnregisterUrlAsync(body!.WebhookUrl, registry, grains, cancellationToken);
    }

    internal static async Task<Results<Ok<WebhookUrlResponse>, ProblemHttpResult>> UnregisterUrlAsync(
        string? webhookUrl, IEndpointRegistry registry, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(webhookUrl))
            return ApiProblems.Field("webhook_url", "is required");

        var url = webhookUrl.Trim();
        var endpoint = await registry.FindByUrlAsync(url, cancellationToken);
        if (endpoint is null)
            return ApiProblems.NotFound($"No webhook is registered for '{url}'.");

        // Its answer is not checked: a grain call retried after a lost answer finds the endpoint already gone.
        await grains.GetGrain<IWebhookGrain>(endpoint.Id).DeleteAsync();
        return TypedResults.Ok(new WebhookUrlResponse("success", url, await registry.CountAsync(cancellationToken)));
    }

    private static async Task<Ok<WebhookListResponse>> ListAsync(IEndpointRegistry registry, CancellationToken cancellationToken)
    {
        var endpoints = await registry.ListAsync(cancellationToken);
        return TypedResults.Ok(new WebhookListResponse(endpoints.Select(e => e.Url).ToArray(), endpoints.Count));
    }
}
