using System.Globalization;
using System.Text.Json;
using Herald.Contracts;
using Herald.Grains.Inbound;

namespace Herald.Application.Deployments;

/// <summary>The commits of the GitHub pushes Herald received, read from their stored payloads.</summary>
internal static class CommitRecords
{
    private const int MessageLength = 500;
    private const string BranchPrefix = "refs/heads/";

    /// <summary>The push's commits, newest first; none for events that are not pushes or carry no commits.</summary>
    public static IEnumerable<CommitRecord> Of(InboundEvent e)
    {
        if (e.Type != "push")
            return [];
        try
        {
            using var document = JsonDocument.Parse(e.Payload);
            var root = document.RootElement;
            if (SummaryJson.String(root, "repository", "full_name") is not { } repo || SummaryJson.Get(root, "commits") is not { ValueKind: JsonValueKind.Array } commits)
                return [];
            var gitRef = SummaryJson.String(root, "ref");
            var branch = gitRef is not null && gitRef.StartsWith(BranchPrefix, StringComparison.Ordinal) ? gitRef[BranchPrefix.Length..] : gitRef;
            var records = new List<CommitRecord>();
            foreach (var commit in commits.EnumerateArray())
            {
                if (SummaryJson.String(commit, "id") is not { } sha)
                    continue;
                var message = SummaryJson.String(commit, "message") ?? string.Empty;
                records.Add(new CommitRecord(
                    e.Id, repo, branch, sha, message.Length > MessageLength ? message[..MessageLength] : message,
                    SummaryJson.String(commit, "author", "username") ?? SummaryJson.String(commit, "author", "name"),
                    DateTimeOffset.TryParse(SummaryJson.String(commit, "timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null,
                    e.ReceivedAt,
                    SummaryJson.String(commit, "url")));
            }

            records.Reverse();
            return records;
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
