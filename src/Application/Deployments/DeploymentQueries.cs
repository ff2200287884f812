using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Herald.Contracts;
using Herald.Grains.Inbound;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Application.Deployments;

/// <summary>
/// Deployment monitoring, the complete example of the MCP event-patterns guide: the commits GitHub pushed, the deployments Vercel
/// reported, and which deployment a commit became. Read from the stored inbound events of the sources configured
/// with the <c>github</c> and <c>vercel</c> schemes, so nothing is stored twice and retention applies as to events.
/// </summary>
public sealed partial class DeploymentQueries(IInboundEventStore store, IOptionsMonitor<InboundOptions> options, TimeProvider time)
{
    private const int DefaultLimit = 10;
    private const int MaxLimit = 200;
    private const int CorrelatedDeployments = 10;

    public async Task<Outcome<PushListResponse>> PushesAsync(string? repo, string? limit, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxLimit}");
        var scan = await InboundScan.NewestAsync(
            store, PushQuery(), e => CommitRecords.Of(e).Where(p => repo is null || string.Equals(p.Repo, repo, StringComparison.OrdinalIgnoreCase)),
            take, cancellationToken);
        return new PushListResponse(scan.Records, scan.Records.Count, scan.Truncated);
    }

    public async Task<Outcome<DeploymentListResponse>> DeploymentsAsync(string? project, string? limit, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxLimit}");
        var scan = await InboundScan.NewestAsync(store, DeploymentQuery(since: null), e => OfProject(e, project), take, cancellationToken);
        return new DeploymentListResponse(scan.Records, scan.Records.Count, scan.Truncated);
    }

    public async Task<Outcome<DeploymentStatusResponse>> StatusAsync(string? project, string? hours, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(project))
            return UseCaseError.Field("project", "is required: the Vercel project name");
        if (QueryNumber.Hours(hours) is not { } window)
            return UseCaseError.Field("hours", $"must be an integer from 1 to {QueryNumber.MaxHours}");

        var latest = await InboundScan.NewestAsync(store, DeploymentQuery(since: null), e => OfProject(e, project), 1, cancellationToken);
        var since = time.GetUtcNow().AddHours(-window);
        var recent = await InboundScan.NewestAsync(store, DeploymentQuery(since), e => OfProject(e, project), InboundScan.ScanLimit, cancellationToken);
        var counts = recent.Records.GroupBy(d => d.Status ?? "(none)").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new DeploymentStatusResponse(project, latest.Records.FirstOrDefault(), window, since, counts, recent.Truncated);
    }

    public async Task<Outcome<CorrelationResponse>> CorrelateAsync(string? commitSha, CancellationToken cancellationToken)
    {
        if (!IsCommitSha(commitSha))
            return UseCaseError.Field("commit_sha", "must be a git commit sha or a prefix of one: 4 to 40 hexadecimal digits");

        var push = await InboundScan.NewestAsync(store, PushQuery(), e => CommitRecords.Of(e).Where(p => p.Matches(commitSha)), 1, cancellationToken);
        var deployments = await InboundScan.NewestAsync(
            store, DeploymentQuery(since: null), e => DeploymentRecords.Of(e).Where(d => CommitRecord.ShaMatch(d.Sha, commitSha)),
            CorrelatedDeployments, cancellationToken);
        return new CorrelationResponse(
            commitSha, push.Records.FirstOrDefault(), deployments.Records.FirstOrDefault(), deployments.Records, push.Truncated || deployments.Truncated);
    }

    /// <summary>A git commit sha or a prefix of one: 4 to 40 hexadecimal digits.</summary>
    public static bool IsCommitSha([NotNullWhen(true)] string? sha) => sha is not null && CommitSha().IsMatch(sha);

    private static IEnumerable<DeploymentRecord> OfProject(InboundEvent e, string? project) =>
        DeploymentRecords.Of(e).Where(d => project is null || string.Equals(d.Project, project, StringComparison.OrdinalIgnoreCase));

    private InboundQuery PushQuery() =>
        new(null, "push", null, null, 0, Sources: InboundScan.SourcesWithScheme(options.CurrentValue, SignatureSchemes.GitHub));

    private InboundQuery DeploymentQuery(DateTimeOffset? since) =>
        new(null, null, null, since, 0, Sources: InboundScan.SourcesWithScheme(options.CurrentValue, SignatureSchemes.Vercel));

    [GeneratedRegex("^[0-9a-fA-F]{4,40}$")]
    private static partial Regex CommitSha();
}
