using System.ComponentModel;
using System.Text.Json;
using Herald.Contracts;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

[McpServerToolType]
public sealed class GitHubTools(IHeraldApi herald)
{
    [McpServerTool(Name = "get_repo_activity", Title = "GitHub repository activity", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Summarize what happened in a GitHub repository over the last N hours, from the GitHub webhooks Herald received: pushes, commits, contributors, pull requests and issues by action. Give event_type to also list those events.")]
    public async Task<RepoActivity> GetRepoActivityAsync(
        [Description("The repository as owner/name, e.g. octo-org/hello-world.")] string repo,
        [Description("How many hours back, from 1 to 8760. Default 24.")] int hours = 24,
        [Description("Also list this repo's events of this GitHub type (e.g. push, pull_request, issues).")] string? event_type = null,
        CancellationToken cancellationToken = default)
    {
        var activity = await ActivityAsync(repo, hours, cancellationToken);
        var events = event_type is null ? null : await RepoEventsAsync(repo, event_type, cancellationToken);
        return new RepoActivity(activity, events);
    }

    [McpServerTool(Name = "list_tracked_repos", Title = "Tracked GitHub repositories", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the GitHub repositories Herald has received webhooks about, busiest first, with how many events each and when the last one arrived. Use the names with get_repo_activity.")]
    public async Task<TrackedRepos> ListTrackedReposAsync(CancellationToken cancellationToken = default)
    {
        var tracked = (await herald.TrackedReposAsync(cancellationToken)).As<TrackedReposResponse>();
        return new TrackedRepos(tracked.Repos, tracked.Truncated, $"{tracked.Repos.Count} tracked repositor{(tracked.Repos.Count == 1 ? "y" : "ies")}");
    }

    [McpServerTool(Name = "summarize_commits", Title = "Summarize commits", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Summarize the commits pushed to a GitHub repository over the last N hours: how many pushes and commits, who contributed, and the most recent commit messages.")]
    public async Task<CommitSummary> SummarizeCommitsAsync(
        [Description("The repository as owner/name.")] string repo,
        [Description("How many hours back, from 1 to 8760. Default 24.")] int hours = 24,
        CancellationToken cancellationToken = default)
    {
        var activity = await ActivityAsync(repo, hours, cancellationToken);
        var (pushes, commits, contributors) = (activity.Pushes, activity.Commits, activity.Contributors.Count);
        return new CommitSummary(repo, hours, pushes, commits, activity.Contributors, activity.RecentCommits,
            $"{commits} commit{(commits == 1 ? "" : "s")} in {pushes} push{(pushes == 1 ? "" : "es")} by {contributors} contributor{(contributors == 1 ? "" : "s")} in the last {hours} h");
    }

    [McpServerTool(Name = "get_pr_activity", Title = "Pull request activity", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Show pull request activity in a GitHub repository over the last N hours: counts by action (opened, closed, merged, ...) and each pull request event with number, title, user and state.")]
    public async Task<PullRequestActivity> GetPrActivityAsync(
        [Description("The repository as owner/name.")] string repo,
        [Description("How many hours back, from 1 to 8760. Default 24.")] int hours = 24,
        CancellationToken cancellationToken = default)
    {
        var activity = await ActivityAsync(repo, hours, cancellationToken);
        var pulls = await RepoEventsAsync(repo, "pull_request", cancellationToken);
        var total = activity.PullRequests.Values.Sum();
        return new PullRequestActivity(repo, hours, activity.PullRequests, pulls,
            $"{total} pull request event{(total == 1 ? "" : "s")} in the last {hours} h");
    }

    private async Task<GitHubActivityView> ActivityAsync(string repo, int hours, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(repo) || !repo.Contains('/', StringComparison.Ordinal))
            throw new McpException($"repo must be owner/name, e.g. octo-org/hello-world (got '{repo}').");
        if (hours is < 1 or > 8760)
            throw new McpException($"hours must be from 1 to 8760, not {hours}.");
        return (await herald.GitHubActivityAsync(repo, hours, cancellationToken)).As<GitHubActivityView>();
    }

    private async Task<IReadOnlyList<Dictionary<string, JsonElement>>> RepoEventsAsync(string repo, string type, CancellationToken cancellationToken)
    {
        var page = (await herald.ListEventsAsync(500, source: null, type, since: null, cancellationToken)).As<EventList>();
        return page.Events
            .Where(e => e.Summary.TryGetValue("repo", out var r) && r.ValueKind == JsonValueKind.String && string.Equals(r.GetString(), repo, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Summary)
            .ToArray();
    }
}
