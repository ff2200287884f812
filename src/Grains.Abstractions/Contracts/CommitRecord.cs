namespace Herald.Contracts;

/// <summary>One commit of a GitHub push Herald received, read from the stored payload.</summary>
[GenerateSerializer, Immutable, Alias("Herald.CommitRecord")]
public sealed record CommitRecord(
    long EventId, string Repo, string? Branch, string Sha, string Message, string? Author, DateTimeOffset? Time, DateTimeOffset ReceivedAt, string? Url)
{
    /// <summary>Whether <paramref name="sha"/> names this commit: either may be the other's prefix, as short and full shas are.</summary>
    public bool Matches(string sha) => ShaMatch(Sha, sha);

    public static bool ShaMatch(string? stored, string given) =>
        !string.IsNullOrEmpty(stored)
        && (stored.StartsWith(given, StringComparison.OrdinalIgnoreCase) || given.StartsWith(stored, StringComparison.OrdinalIgnoreCase));
}
