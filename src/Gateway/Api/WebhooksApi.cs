using Herald.Application;
using Herald.Application.Endpoints;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>WebhookMCP's API over <see cref="EndpointUseCases"/>: webhooks identified by URL, with the exact response shapes of that server.</summary>
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
        HttpRequest request, EndpointUseCases endpoints, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<WebhookUrlRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        return await endpoints.RegisterUrlAsync(body!.WebhookUrl, cancellationToken).ToHttp();
    }

    private static async Task<Results<Ok<WebhookUrlResponse>, ProblemHttpResult>> UnregisterAsync(
        HttpRequest request, EndpointUseCases endpoints, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<WebhookUrlRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        return await endpoints.UnregisterUrlAsync(body!.WebhookUrl, cancellationToken).ToHttp();
    }

    private static async Task<Ok<WebhookListResponse>> ListAsync(EndpointUseCases endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(await endpoints.ListUrlsAsync(cancellationToken));
}
