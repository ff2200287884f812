using System.Text.Json.Nodes;
using Herald.Contracts;

namespace Herald.Application.Events;

/// <summary>What happened in one GitHub repository, read from the summaries of the events its sources stored.</summary>
internal static class GitHubActivities
{
    private const int RecentCommitCount = 20;
    private const int RecentEventCount = 10;

    public static GitHubActivity Of(string repo, int hours, DateTimeOffset since, IReadOnlyList<InboundEvent> events, bool truncated)
    {
        var pushes = 0;
        var commits = 0;
        var contributors = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        var pulls = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var issues = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var recent = new List<string>();
        var byType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var recentEvents = new List<InboundEvent>();
        foreach (var e in events)
        {
            if (JsonNode.Parse(e.Summary) is not JsonObject summary || !string.Equals(summary["repo"]?.GetValue<string>(), repo, StringComparison.OrdinalIgnoreCase))
                continue;
            byType[e.Type ?? "(none)"] = byType.GetValueOrDefault(e.Type ?? "(none)") + 1;
            recentEvents.Add(e);
            switch (e.Type)
            {
                case "push":
                    pushes++;
                    commits += summary["commit_count"]?.GetValue<int>() ?? 0;
                    foreach (var name in (summary["commit_authors"] as JsonArray ?? []).Append(summary["pusher"]).OfType<JsonNode>())
                        contributors.Add(name.GetValue<string>());
                    recent.AddRange((summary["commits"] as JsonArray ?? []).OfType<JsonNode>().Select(c => c.GetValue<string>()));
                    break;
                case "pull_request":
                    var action = summary["merged"]?.GetValue<bool>() == true && summary["action"]?.GetValue<string>() == "closed" ? "merged" : summary["action"]?.GetValue<string>() ?? "(none)";
                    pulls[action] = pulls.GetValueOrDefault(action) + 1;
                    break;
                case "issues":
                    var issueAction = summary["action"]?.GetValue<string>() ?? "(none)";
                    issues[issueAction] = issues.GetValueOrDefault(issueAction) + 1;
                    break;
            }
        }

        return new GitHubActivity(
            repo, hours, since, pushes, commits, contributors.ToArray(), pulls, issues, recent.TakeLast(RecentCommitCount).ToArray(), truncated,
            recentEvents.Count, byType, recentEvents.TakeLast(RecentEventCount).Select(e => EventResponse.From(e, includePayload: false)).ToArray());
    }
}
