namespace Herald.Contracts;

/// <summary>Redeliver from a sequence id (inclusive) or from a point in time. Exactly one is set.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.ReplayRequest")]
public sealed record ReplayRequest([property: Id(0)] long? FromId, [property: Id(1)] DateTimeOffset? Since);

[GenerateSerializer]
[Immutable]
[Alias("Herald.ReplayResult")]
public sealed record ReplayResult([property: Id(0)] string EndpointId, [property: Id(1)] long FromId, [property: Id(2)] long Pending);
