using System.Globalization;
using System.Text.Json;
using Herald.Contracts;

namespace Herald.Gateway.Api;

/// <summary>One commit of a GitHub push Herald received, read from the stored payload.</summary>
public sealed record PushRecord(
    long EventId, string Repo, string? Branch, string Sha, string Message, string? Author, DateTimeOffset? Time, DateTimeOffset ReceivedAt, string? Url)
{
    private const int MessageLength = 500;
    private const string BranchPrefix = "refs/heads/";

    /// <summary>The push's commits, newest first; none for events that are not pushes or carry no commits.</summary>
    public static IEnumerable<PushRecord> From(InboundEvent e)
    {
        if (e.Type != "push")
            return [];
        try
        {
            using var document = JsonDocument.Parse(e.Payload);
            var root = document.RootElement;
            if (JsonFields.Text(root, "repository", "full_name") is not { } repo || JsonFields.Get(root, "commits") is not { ValueKind: JsonValueKind.Array } commits)
                return [];
            var gitRef = JsonFields.Text(root, "ref");
            var branch = gitRef is not null && gitRef.StartsWith(BranchPrefix, StringComparison.Ordinal) ? gitRef[BranchPrefix.Length..] : gitRef;
            var records = new List<PushRecord>();
            foreach (var commit in commits.EnumerateArray())
            {
                if (JsonFields.Text(commit, "id") is not { } sha)
                    continue;
                var message = JsonFields.Text(commit, "message") ?? string.Empty;
                records.Add(new PushRecord(
                    e.Id, repo, branch, sha, message.Length > MessageLength ? message[..MessageLength] : message,
                    JsonFields.Text(commit, "author", "username") ?? JsonFields.Text(commit, "author", "name"),
                    DateTimeOffset.TryParse(JsonFields.Text(commit, "timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null,
                    e.ReceivedAt,
                    JsonFields.Text(commit, "url")));
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
