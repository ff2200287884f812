namespace Herald.Grains.Delivery;

/// <summary>What one HTTP attempt returned. <see cref="StatusCode"/> is null when no response arrived.</summary>
public sealed record AttemptResult(int? StatusCode, double LatencyMs, string? Error, string? ResponseBody, TimeSpan? RetryAfter, bool Blocked = false)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>410 Gone: the receiver asks not to be called again.</summary>
    public bool Gone => StatusCode == 410;
}
