using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Grains.Inbound;

/// <summary>Summaries of GitHub webhooks, keyed by the <c>X-GitHub-Event</c> header value.</summary>
internal static class GitHubSummary
{
    public const string EventKey = "event";

    private const string Push = "push";
    private const string PullRequest = "pull_request";
    private const string Issues = "issues";

    private const string BranchPrefix = "refs/heads/";
    private const string TagPrefix = "refs/tags/";

    /// <summary>Enough to recognise a push at a glance; the full list stays in the stored payload.</summary>
    private const int ListedCommitMessages = 5;

    public static JsonObject Build(string? type, JsonElement? payload)
    {
        var summary = new JsonObject { [EventKey] = type };
        switch (type)
        {
            case Push:
                AddPush(summary, payload);
                break;
            case PullRequest:
                AddItem(summary, payload, PullRequest);
                summary["merged"] = SummaryJson.Bool(payload, PullRequest, "merged");
                summary["repo"] = SummaryJson.String(payload, "repository", "full_name");
                if (SummaryJson.String(payload, PullRequest, "merged_by", "login") is { } mergedBy)
                    summary["merged_by"] = mergedBy;
                break;
            case Issues:
                AddItem(summary, payload, "issue");
                summary["repo"] = SummaryJson.String(payload, "repository", "full_name");
                break;
            default:
                if (SummaryJson.String(payload, "action") is { } action)
                    summary["action"] = action;
                if (SummaryJson.String(payload, "repository", "full_name") is { } repo)
                    summary["repo"] = repo;
                summary["sender"] = SummaryJson.String(payload, "sender", "login");
                break;
        }
        return summary;
    }

    public static string Describe(string source, string type, JsonObject summary) => type switch
    {
        Push => DescribePush(source, type, summary),
        PullRequest or Issues => DescribeItem(source, type, summary),
        _ => DescribeOther(source, type, summary),
    };

    private static void AddPush(JsonObject summary, JsonElement? payload)
    {
        summary["repo"] = SummaryJson.String(payload, "repository", "full_name");

        var gitRef = SummaryJson.String(payload, "ref");
        if (gitRef is not null && gitRef.StartsWith(TagPrefix, StringComparison.Ordinal))
        {
            summary["branch"] = gitRef[TagPrefix.Length..];
            summary["ref_type"] = "tag";
        }
        else
        {
            summary["branch"] = gitRef is not null && gitRef.StartsWith(BranchPrefix, StringComparison.Ordinal)
                ? gitRef[BranchPrefix.Length..]
                : gitRef;
        }

        var commits = SummaryJson.Get(payload, "commits") is { ValueKind: JsonValueKind.Array } array ? array : (JsonElement?)null;
        // Webhook pushes carry the commits array; size is the count in the Events API's shape of a push.
        summary["commit_count"] = commits?.GetArrayLength() ?? SummaryJson.Int64(payload, "size");
        summary["pusher"] = SummaryJson.String(payload, "pusher", "name") ?? SummaryJson.String(payload, "sender", "login");
        summary["commits"] = commits is { } list ? CommitMessages(list) : null;
        summary["commit_authors"] = commits is { } all ? CommitAuthors(all) : null;
        summary["head_commit_id"] = SummaryJson.String(payload, "head_commit", "id");
    }

    private static JsonArray CommitMessages(JsonElement commits)
    {
        var messages = new JsonArray();
        foreach (var commit in commits.EnumerateArray())
        {
            if (messages.Count == ListedCommitMessages)
                break;
            if (SummaryJson.String(commit, "message") is { } message)
                messages.Add(FirstLine(message));
        }
        return messages;
    }

    private static JsonArray CommitAuthors(JsonElement commits)
    {
        // GitHub logins are case-insensitive, so "Alice" and "alice" are one contributor.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var authors = new JsonArray();
        foreach (var commit in commits.EnumerateArray())
        {
            // The username is the GitHub account; commits by an email GitHub cannot match carry only the git name.
            var author = SummaryJson.String(commit, "author", "username") ?? SummaryJson.String(commit, "author", "name");
            if (!string.IsNullOrEmpty(author) && seen.Add(author))
                authors.Add(author);
        }
        return authors;
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }

    private static void AddItem(JsonObject summary, JsonElement? payload, string item)
    {
        summary["action"] = SummaryJson.String(payload, "action");
        summary["number"] = SummaryJson.Int64(payload, "number") ?? SummaryJson.Int64(payload, item, "number");
        summary["title"] = SummaryJson.String(payload, item, "title");
        summary["user"] = SummaryJson.String(payload, item, "user", "login");
        summary["state"] = SummaryJson.String(payload, item, "state");
    }

    private static string DescribePush(string source, string type, JsonObject summary)
    {
        var line = new StringBuilder($"{source} {type}");
        if (SummaryJson.Text(summary, "repo") is { } repo)
            line.Append($" to {repo}");

        var details = new List<string>();
        if (SummaryJson.Text(summary, "commit_count") is { } count)
            details.Add(count == "1" ? "1 commit" : $"{count} commits");
        if (SummaryJson.Text(summary, "branch") is { } branch)
            details.Add(SummaryJson.Text(summary, "ref_type") == "tag" ? $"to tag {branch}" : $"to {branch}");
        if (SummaryJson.Text(summary, "pusher") is { } pusher)
            details.Add($"by {pusher}");
        if (details.Count > 0)
            line.Append(": ").AppendJoin(' ', details);
        return line.ToString();
    }

    private static string DescribeItem(string source, string type, JsonObject summary)
    {
        var line = new StringBuilder($"{source} {type}");
        if (SummaryJson.Text(summary, "action") is { } action)
            line.Append($" {action}");
        if (SummaryJson.Text(summary, "number") is { } number)
            line.Append($" #{number}");
        if (SummaryJson.Text(summary, "title") is { } title)
            line.Append($" \"{title}\"");
        if (SummaryJson.Text(summary, "user") is { } user)
            line.Append($" by {user}");
        if (SummaryJson.IsTrue(summary, "merged"))
            line.Append(SummaryJson.Text(summary, "merged_by") is { } mergedBy ? $" (merged by {mergedBy})" : " (merged)");
        return line.ToString();
    }

    private static string DescribeOther(string source, string type, JsonObject summary)
    {
        var line = new StringBuilder($"{source} {type}");
        if (SummaryJson.Text(summary, "action") is { } action)
            line.Append($" {action}");
        if (SummaryJson.Text(summary, "repo") is { } repo)
            line.Append($" on {repo}");
        if (SummaryJson.Text(summary, "sender") is { } sender)
            line.Append($" by {sender}");
        return line.ToString();
    }
}
