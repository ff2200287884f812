using System.ComponentModel.DataAnnotations;

namespace Herald.Gateway.Stats;

/// <summary>The rate history behind <c>GET /api/stats/rates</c> and the dashboard's charts, bound from <c>Herald:Rates</c>.</summary>
public sealed class RateOptions : IValidatableObject
{
    private const int MaxSamples = 100_000;

    public const string Section = "Herald:Rates";

    /// <summary>How often the totals are read; each sample is the rate over one interval.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How far back the history reaches; older samples are dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many samples the window holds.</summary>
    public int Capacity => (int)Math.Ceiling(Window / SampleInterval);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Window < SampleInterval)
            yield return new ValidationResult("The window must be at least one sample interval long.", [nameof(Window)]);
        else if (Window / SampleInterval > MaxSamples)
            yield return new ValidationResult($"The window may hold at most {MaxSamples} samples; lengthen the interval or shorten the window.", [nameof(Window)]);
    }
}
