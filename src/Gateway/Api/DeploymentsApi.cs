using System.Text.RegularExpressions;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Inbound;
using Herald.Silo.Security;
using Herald.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>
/// Deployment monitoring, the complete example of the MCP event-patterns guide: the commits GitHub pushed, the deployments Vercel
/// reported, and which deployment a commit became. Read from the stored inbound events of the sources configured
/// with the <c>github</c> and <c>vercel</c> schemes, so nothing is stored twice and retention applies as to events.
/// </summary>
public static partial class DeploymentsApi
{
    private const int DefaultLimit = 10;
    private const int MaxLimit = 200;
    private const int CorrelatedDeployments = 10;

    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/pushes", PushesAsync).RequireScope(ApiScopes.Read).WithName("RecentPushes");
        var deployments = routes.MapGroup("/api/deployments").RequireScope(ApiScopes.Read);
        deployments.MapGet("/", DeploymentsAsync).WithName("RecentDeployments");
        deployments.MapGet("/status", StatusAsync).WithName("DeploymentStatus");
        deployments.MapGet("/correlate", CorrelateAsync).WithName("CorrelatePushToDeployment");
        return routes;
    }

    internal static async Task<Results<Ok<PushListResponse>, ProblemHttpResult>> PushesAsync(
        string? repo, string? limit, IOptionsMonitor<InboundOptions> options, IInboundEventStore store, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return ApiProblems.Field("limit", $"must be an integer from 1 to {MaxLimit}");
        var scan = await InboundScan.NewestAsync(
            store, PushQuery(options.CurrentValue), e => CommitRecord.From(e).Where(p => repo is null || string.Equals(p.Repo, repo, StringComparison.OrdinalIgnoreCase)),
            take, cancellationToken);
        return TypedResults.Ok(new PushListResponse(scan.Records, scan.Records.Count, scan.Truncated));
    }

    internal static async Task<Results<Ok<DeploymentListResponse>, ProblemHttpResult>> DeploymentsAsync(
        string? project, string? limit, IOptionsMonitor<InboundOptions> options, IInboundEventStore store, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return ApiProblems.Field("limit", $"must be an integer from 1 to {MaxLimit}");
        var scan = await InboundScan.NewestAsync(store, DeploymentQuery(options.CurrentValue, since: null), e => OfProject(e, project), take, cancellationToken);
        return TypedResults.Ok(new DeploymentListResponse(scan.Records, scan.Records.Count, scan.Truncated));
    }

    internal static async Task<Results<Ok<DeploymentStatusResponse>, ProblemHttpResult>> StatusAsync(
        string? project, string? hours, IOptionsMonitor<InboundOptions> options, IInboundEventStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(project))
            return ApiProblems.Field("project", "is required: the Vercel project name");
        if (QueryNumber.Hours(hours) is not { } window)
            return ApiProblems.Field("hours", $"must be an integer from 1 to {QueryNumber.MaxHours}");

        var latest = await InboundScan.NewestAsync(store, DeploymentQuery(options.CurrentValue, since: null), e => OfProject(e, project), 1, cancellationToken);
        var since = time.GetUtcNow().AddHours(-window);
        var recent = await InboundScan.NewestAsync(store, DeploymentQuery(options.CurrentValue, since), e => OfProject(e, project), InboundScan.ScanLimit, cancellationToken);
        var counts = recent.Records.GroupBy(d => d.Status ?? "(none)").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return TypedResults.Ok(new DeploymentStatusResponse(project, latest.Records.FirstOrDefault(), window, since, counts, recent.Truncated));
    }

    internal static async Task<Results<Ok<CorrelationResponse>, ProblemHttpResult>> CorrelateAsync(
        [FromQuery(Name = "commit_sha")] string? commitSha, IOptionsMonitor<InboundOptions> options, IInboundEventStore store, CancellationToken cancellationToken)
    {
        if (!IsCommitSha(commitSha))
            return ApiProblems.Field("commit_sha", "must be a git commit sha or a prefix of one: 4 to 40 hexadecimal digits");

        var push = await InboundScan.NewestAsync(store, PushQuery(options.CurrentValue), e => CommitRecord.From(e).Where(p => p.Matches(commitSha)), 1, cancellationToken);
        var deployments = await InboundScan.NewestAsync(
            store, DeploymentQuery(options.CurrentValue, since: null), e => DeploymentRecord.From(e).Where(d => CommitRecord.ShaMatch(d.Sha, commitSha)),
            CorrelatedDeployments, cancellationToken);
        return TypedResults.Ok(new CorrelationResponse(
            commitSha, push.Records.FirstOrDefault(), deployments.Records.FirstOrDefault(), deployments.Records, push.Truncated || deployments.Truncated));
    }

    private static IEnumerable<DeploymentRecord> OfProject(InboundEvent e, string? project) =>
        DeploymentRecord.From(e).Where(d => project is null || string.Equals(d.Project, project, StringComparison.OrdinalIgnoreCase));

    private static InboundQuery PushQuery(InboundOptions options) =>
        new(null, "push", null, null, 0, Sources: InboundScan.SourcesWithScheme(options, SignatureSchemes.GitHub));

    private static InboundQuery DeploymentQuery(InboundOptions options, DateTimeOffset? since) =>
        new(null, null, null, since, 0, Sources: InboundScan.SourcesWithScheme(options, SignatureSchemes.Vercel));

    /// <summary>A git commit sha or a prefix of one: 4 to 40 hexadecimal digits.</summary>
    public static bool IsCommitSha([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? sha) => sha is not null && CommitSha().IsMatch(sha);

    [GeneratedRegex("^[0-9a-fA-F]{4,40}$")]
    private static partial Regex CommitSha();
}

public sealed record PushListResponse(IReadOnlyList<CommitRecord> Pushes, int Count, bool Truncated);

public sealed record DeploymentListResponse(IReadOnlyList<DeploymentRecord> Deployments, int Count, bool Truncated);

/// <summary>A project's latest deployment event, and its deployment events over the window counted by status.</summary>
public sealed record DeploymentStatusResponse(
    string Project, DeploymentRecord? Latest, int Hours, DateTimeOffset Since, IReadOnlyDictionary<string, int> ByStatus, bool Truncated);

/// <summary>The newest push of a commit, and the deployments built from it, newest first.</summary>
public sealed record CorrelationResponse(
    string CommitSha, CommitRecord? Push, DeploymentRecord? Deployment, IReadOnlyList<DeploymentRecord> Deployments, bool Truncated);
