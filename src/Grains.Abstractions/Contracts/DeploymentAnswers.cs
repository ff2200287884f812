namespace Herald.Contracts;

[GenerateSerializer, Immutable, Alias("Herald.PushListResponse")]
public sealed record PushListResponse(IReadOnlyList<CommitRecord> Pushes, int Count, bool Truncated);

[GenerateSerializer, Immutable, Alias("Herald.DeploymentListResponse")]
public sealed record DeploymentListResponse(IReadOnlyList<DeploymentRecord> Deployments, int Count, bool Truncated);

/// <summary>A project's latest deployment event, and its deployment events over the window counted by status.</summary>
[GenerateSerializer, Immutable, Alias("Herald.DeploymentStatusResponse")]
public sealed record DeploymentStatusResponse(
    string Project, DeploymentRecord? Latest, int Hours, DateTimeOffset Since, IReadOnlyDictionary<string, int> ByStatus, bool Truncated);

/// <summary>The newest push of a commit, and the deployments built from it, newest first.</summary>
[GenerateSerializer, Immutable, Alias("Herald.CorrelationResponse")]
public sealed record CorrelationResponse(
    string CommitSha, CommitRecord? Push, DeploymentRecord? Deployment, IReadOnlyList<DeploymentRecord> Deployments, bool Truncated);
