using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Herald.Contracts;

namespace Herald.Gateway.Api;

public sealed record EventResponse(
    long Id, string Source, string? Type, string DeliveryId, DateTimeOffset ReceivedAt, JsonElement Summary, IReadOnlyDictionary<string, string> Headers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Payload)
{
    public static EventResponse From(InboundEvent e, bool includePayload) => new(
        e.Id, e.Source, e.Type, e.DeliveryId, e.ReceivedAt, JsonDocument.Parse(e.Summary).RootElement.Clone(), e.Headers,
        includePayload ? PayloadElement(e.Payload) : null);

    // Stored as received: JSON payloads come back as JSON, anything else as a string.
    private static JsonElement PayloadElement(string payload)
    {
        try
        {
            return JsonDocument.Parse(payload).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(payload);
        }
    }
}

public sealed record EventListResponse(IReadOnlyList<EventResponse> Events, int Count, long? Cursor);

public sealed record SourceResponse(string Source, long Count, DateTimeOffset LastSeen);

public sealed record SourceListResponse(IReadOnlyList<SourceResponse> Sources);

public sealed record SourceSummary(long Total, IReadOnlyDictionary<string, long> Types);

/// <summary>Counts by source and type over the window, and the actions pending now (from any time).</summary>
public sealed record SummaryResponse(int Hours, DateTimeOffset Since, long Total, IReadOnlyDictionary<string, SourceSummary> Sources, int PendingActions);

public sealed record TrackedRepo(string Repo, int Events, DateTimeOffset LastSeen);

/// <summary>Tracked repositories; <see cref="Truncated"/> when there were more events than one answer reads.</summary>
public sealed record TrackedReposResponse(IReadOnlyList<TrackedRepo> Repos, bool Truncated);

public sealed record WaitResponse(bool TimedOut, EventResponse? Event, long Cursor);

/// <summary>What happened in one GitHub repository: pushes, commits, contributors, pull requests and issues by action.</summary>
public sealed record GitHubActivity(
    string Repo, int Hours, DateTimeOffset Since, int Pushes, int Commits, IReadOnlyList<string> Contributors,
    IReadOnlyDictionary<string, int> PullRequests, IReadOnlyDictionary<string, int> Issues, IReadOnlyList<string> RecentCommits, bool Truncated,
    int TotalEvents, IReadOnlyDictionary<string, int> EventsByType, IReadOnlyList<EventResponse> RecentEvents)
{
    private const int RecentCommitCount = 20;
    private const int RecentEventCount = 10;

    public static GitHubActivity From(string repo, int hours, DateTimeOffset since, IReadOnlyList<InboundEvent> events, bool truncated)
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
