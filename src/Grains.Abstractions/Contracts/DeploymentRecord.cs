namespace Herald.Contracts;

/// <summary>One Vercel deployment event Herald received, from its stored summary.</summary>
[GenerateSerializer, Immutable, Alias("Herald.DeploymentRecord")]
public sealed record DeploymentRecord(
    long EventId, string? Type, string? DeploymentId, string Project, string? Url, string? Status, string? Target,
    string? Sha, string? Branch, string? CommitMessage, DateTimeOffset Time, DateTimeOffset ReceivedAt);
