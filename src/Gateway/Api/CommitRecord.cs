using System.Globalization;
using System.Text.Json;
using Herald.Contracts;
using Herald.Grains.Inbound;

namespace Herald.Gateway.Api;

/// <summary>One commit of a GitHub push Herald received, read from the stored payload.</summary>
public sealed record CommitRecord(
    long EventId, string Repo, string? Branch, string Sha, string Message, string? Author, DateTimeOffset? Time, DateTimeOffset ReceivedAt, string? Url)
{
    private const int MessageLength = 500;
    private const string BranchPrefix = "refs/heads/";

    /// <summary>The push's commits, newest first; none for events that are not pushes or carry no commits.</summary>
    public static IEnumerable<CommitRecord> From(InboundEvent e)
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

    /// <summary>Whether <paramref name="sha"/> names this commit: either may be the other's prefix, as short and full shas are.</summary>
    public bool Matches(string sha) => ShaMatch(Sha, sha);

    public static bool ShaMatch(string? stored, string given) =>
        !string.IsNullOrEmpty(stored)
        && (stored.StartsWith(given, StringComparison.OrdinalIgnoreCase) || given.StartsWith(stored, StringComparison.OrdinalIgnoreCase));
}
