using System.ComponentModel;
using Herald.Application.Deployments;
using Herald.Contracts;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

/// <summary>The MCP event-patterns guide's deployment monitor: GitHub pushes, Vercel deployments, and which commit became which deployment.</summary>
[McpServerToolType]
public sealed class DeploymentTools(IHeraldApi herald)
{
    [McpServerTool(Name = "get_recent_pushes", Title = "Recent git pushes", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the most recent commits pushed to GitHub, newest first, one record per commit (repo, branch, sha, message, author, time), from the GitHub webhooks Herald received.")]
    public async Task<PushesResult> GetRecentPushesAsync(
        [Description("Only this repository, as owner/name.")] string? repo = null,
        [Description("How many commits, from 1 to 200. Default 10.")] int limit = 10,
        CancellationToken cancellationToken = default)
    {
        CheckLimit(limit);
        var pushes = (await herald.RecentPushesAsync(repo, limit, cancellationToken)).As<PushListResponse>();
        return new PushesResult(pushes.Pushes, pushes.Count, pushes.Truncated,
            $"{pushes.Count} commit{(pushes.Count == 1 ? "" : "s")}{(repo is null ? "" : $" to {repo}")}");
    }

    [McpServerTool(Name = "get_recent_deployments", Title = "Recent deployments", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the most recent Vercel deployment events, newest first (project, url, status, target, commit sha, time), from the Vercel webhooks Herald received.")]
    public async Task<DeploymentsResult> GetRecentDeploymentsAsync(
        [Description("Only this Vercel project.")] string? project = null,
        [Description("How many deployment events, from 1 to 200. Default 10.")] int limit = 10,
        CancellationToken cancellationToken = default)
    {
        CheckLimit(limit);
        var deployments = (await herald.RecentDeploymentsAsync(project, limit, cancellationToken)).As<DeploymentListResponse>();
        return new DeploymentsResult(deployments.Deployments, deployments.Count, deployments.Truncated,
            $"{deployments.Count} deployment event{(deployments.Count == 1 ? "" : "s")}{(project is null ? "" : $" of {project}")}");
    }

    [McpServerTool(Name = "get_deployment_status", Title = "Deployment status", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("The current deployment status of a Vercel project: its latest deployment event, and its deployment events over the last N hours counted by status (ready, error, building, ...).")]
    public async Task<DeploymentStatusResult> GetDeploymentStatusAsync(
        [Description("The Vercel project name.")] string project,
        [Description("How many hours of history to count, from 1 to 8760. Default 24.")] int hours = 24,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(project))
            throw new McpException("project must name a Vercel project.");
        if (hours is < 1 or > 8760)
            throw new McpException($"hours must be from 1 to 8760, not {hours}.");
        var status = (await herald.DeploymentStatusAsync(project, hours, cancellationToken)).As<DeploymentStatusResponse>();
        var summary = status.Latest is { } latest
            ? $"{project}: {latest.Status ?? "unknown"} ({latest.Url ?? "no url"}) at {latest.Time:u}"
            : $"No deployment of {project} has been received";
        return new DeploymentStatusResult(status.Project, status.Latest, status.Hours, status.ByStatus, status.Truncated, summary);
    }

    [McpServerTool(Name = "correlate_push_to_deployment", Title = "Find the deployment of a commit", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Find the push that carried a commit and the deployments built from it. The sha may be full or a prefix (at least 4 hex digits); a short sha stored by either side matches too.")]
    public async Task<CorrelationResult> CorrelatePushToDeploymentAsync(
        [Description("The commit sha, full or a prefix such as 'a1b2c3d'.")] string commit_sha,
        CancellationToken cancellationToken = default)
    {
        if (!DeploymentQueries.IsCommitSha(commit_sha))
            throw new McpException($"commit_sha must be 4 to 40 hexadecimal digits (a git sha or its prefix), not '{commit_sha}'.");
        var found = (await herald.CorrelatePushToDeploymentAsync(commit_sha, cancellationToken)).As<CorrelationResponse>();
        var summary = (found.Push, found.Deployment) switch
        {
            (null, null) => $"Neither a push nor a deployment of {commit_sha} has been received",
            ({ } push, null) => $"{push.Sha[..Math.Min(7, push.Sha.Length)]} was pushed to {push.Repo} but no deployment of it has been received",
            (null, { } deployment) => $"{deployment.Project} deployed {commit_sha} ({deployment.Status}); its push was not received",
            ({ } push, { } deployment) => $"{push.Repo} {push.Sha[..Math.Min(7, push.Sha.Length)]} became {deployment.Project} {deployment.Url} ({deployment.Status})",
        };
        return new CorrelationResult(found.CommitSha, found.Push, found.Deployment, found.Deployments, found.Truncated, summary);
    }

    private static void CheckLimit(int limit)
    {
        if (limit is < 1 or > 200)
            throw new McpException($"limit must be from 1 to 200, not {limit}.");
    }
}
