using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

public sealed record RepoActivity(JsonElement Activity, JsonElement? Events);

public sealed record CommitSummary(string Repo, int Hours, int Pushes, int Commits, JsonElement Contributors, JsonElement RecentCommits, string Summary);

public sealed record PullRequestActivity(string Repo, int Hours, JsonElement ByAction, IReadOnlyList<JsonElement> PullRequests, string Summary);

[McpServerToolType]
public sealed class GitHubTools(GatewayClient gateway)
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
        JsonElement? events = null;
        if (event_type is not null)
            events = JsonSerializer.SerializeToElement(await RepoEventsAsync(repo, event_type, cancellationToken));
        return new RepoActivity(activity, events);
    }

    [McpServerTool(Name = "summarize_commits", Title = "Summarize commits", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Summarize the commits pushed to a GitHub repository over the last N hours: how many pushes and commits, who contributed, and the most recent commit messages.")]
    public async Task<CommitSummary> SummarizeCommitsAsync(
        [Description("The repository as owner/name.")] string repo,
        [Description("How many hours back, from 1 to 8760. Default 24.")] int hours = 24,
        CancellationToken cancellationToken = default)
    {
        var activity = await ActivityAsync(repo, hours, cancellationToken);
        var pushes = activity.GetProperty("pushes").GetInt32();
        var commits = activity.GetProperty("commits").GetInt32();
        var contributors = activity.GetProperty("contributors");
        return new CommitSummary(repo, hours, pushes, commits, contributors, activity.GetProperty("recent_commits"),
            $"{commits} commit{(commits == 1 ? "" : "s")} in {pushes} push{(pushes == 1 ? "" : "es")} by {contributors.GetArrayLength()} contributor{(contributors.GetArrayLength() == 1 ? "" : "s")} in the last {hours} h");
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
        var total = activity.GetProperty("pull_requests").EnumerateObject().Sum(p => p.Value.GetInt32());
        return new PullRequestActivity(repo, hours, activity.GetProperty("pull_requests"), pulls,
            $"{total} pull request event{(total == 1 ? "" : "s")} in the last {hours} h");
    }

    private async Task<JsonElement> ActivityAsync(string repo, int hours, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(repo) || !repo.Contains('/', StringComparison.Ordinal))
            throw new McpException($"repo must be owner/name, e.g. octo-org/hello-world (got '{repo}').");
        if (hours is < 1 or > 8760)
            throw new McpException($"hours must be from 1 to 8760, not {hours}.");
        return await gateway.GetAsync($"/api/events/github/activity?hours={hours}{EventTools.Query("repo", repo)}", cancellationToken);
    }

    private async Task<IReadOnlyList<JsonElement>> RepoEventsAsync(string repo, string type, CancellationToken cancellationToken)
    {
        var page = await gateway.GetAsync($"/api/events?limit=500{EventTools.Query("type", type)}", cancellationToken);
        return page.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("summary").TryGetProperty("repo", out var r) && string.Equals(r.GetString(), repo, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.GetProperty("summary"))
            .ToArray();
    }
}
