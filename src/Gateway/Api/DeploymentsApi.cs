using Herald.Application.Deployments;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Gateway.Api;

/// <summary>The routes of <see cref="DeploymentQueries"/>: commits pushed, deployments reported, and which deployment a commit became.</summary>
public static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/pushes", PushesAsync).RequireScope(ApiScopes.Read).WithName("RecentPushes");
        var deployments = routes.MapGroup("/api/deployments").RequireScope(ApiScopes.Read);
        deployments.MapGet("/", DeploymentsAsync).WithName("RecentDeployments");
        deployments.MapGet("/status", StatusAsync).WithName("DeploymentStatus");
        deployments.MapGet("/correlate", CorrelateAsync).WithName("CorrelatePushToDeployment");
        return routes;
    }

    private static Task<Results<Ok<PushListResponse>, ProblemHttpResult>> PushesAsync(
        string? repo, string? limit, DeploymentQueries deployments, CancellationToken cancellationToken) =>
        deployments.PushesAsync(repo, limit, cancellationToken).ToHttp();

    private static Task<Results<Ok<DeploymentListResponse>, ProblemHttpResult>> DeploymentsAsync(
        string? project, string? limit, DeploymentQueries deployments, CancellationToken cancellationToken) =>
        deployments.DeploymentsAsync(project, limit, cancellationToken).ToHttp();

    private static Task<Results<Ok<DeploymentStatusResponse>, ProblemHttpResult>> StatusAsync(
        string? project, string? hours, DeploymentQueries deployments, CancellationToken cancellationToken) =>
        deployments.StatusAsync(project, hours, cancellationToken).ToHttp();

    private static Task<Results<Ok<CorrelationResponse>, ProblemHttpResult>> CorrelateAsync(
        [FromQuery(Name = "commit_sha")] string? commitSha, DeploymentQueries deployments, CancellationToken cancellationToken) =>
        deployments.CorrelateAsync(commitSha, cancellationToken).ToHttp();
}
