namespace Herald.Contracts;

/// <summary>One HTTP attempt to deliver one message to one endpoint.</summary>
public sealed record DeliveryAttempt
{
    public required string EndpointId { get; init; }

    public required long MessageId { get; init; }

    /// <summary>1 for the first attempt of this message to this endpoint.</summary>
    public required int Attempt { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public int? StatusCode { get; init; }

    public double LatencyMs { get; init; }

    public string? Error { get; init; }

    /// <summary>The first KiB of the response body.</summary>
    public string? ResponseBody { get; init; }

    public required string Outcome { get; init; }

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
