namespace Herald.Contracts;

/// <summary>Redeliver from a sequence id (inclusive) or from a point in time. Exactly one is set.</summary>
public sealed record ReplayRequest(long? FromId, DateTimeOffset? Since);

public sealed record ReplayResult(string EndpointId, long FromId, long Pending);
