namespace Herald.Contracts;

/// <summary>One HTTP attempt to deliver one message to one endpoint.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.DeliveryAttempt")]
public sealed record DeliveryAttempt
{
    [Id(0)]
    public required string EndpointId { get; init; }

    [Id(1)]
    public required long MessageId { get; init; }

    /// <summary>1 for the first attempt of this message to this endpoint.</summary>
    [Id(2)]
    public required int Attempt { get; init; }

    [Id(3)]
    public required DateTimeOffset Timestamp { get; init; }

    [Id(4)]
    public int? StatusCode { get; init; }

    [Id(5)]
    public double LatencyMs { get; init; }

    [Id(6)]
    public string? Error { get; init; }

    /// <summary>The first KiB of the response body.</summary>
    [Id(7)]
    public string? ResponseBody { get; init; }

    [Id(8)]
    public required string Outcome { get; init; }

    [Id(9)]
    public DateTimeOffset? NextRetryAt { get; init; }
}

/// <summary>The outcomes an attempt can have.</summary>
public static class AttemptOutcome
{
    public const string Succeeded = "succeeded";

    /// <summary>Failed; another attempt is scheduled.</summary>
    public const string Retrying = "retrying";

    /// <summary>Failed, and the retry schedule is exhausted: recorded as failed for this endpoint.</summary>
    public const string Failed = "failed";

    /// <summary>Failed, and the endpoint was disabled (410 Gone, or failing for too long).</summary>
    public const string Disabled = "disabled";
}
