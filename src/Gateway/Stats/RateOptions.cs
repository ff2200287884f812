using System.ComponentModel.DataAnnotations;

namespace Herald.Gateway.Stats;

/// <summary>The rate history behind <c>GET /api/stats/rates</c> and the dashboard's charts, bound from <c>Herald:Rates</c>.</summary>
public sealed class RateOptions
{
    public const string Section = "Herald:Rates";

    /// <summary>How often the totals are read; each sample is the rate over one interval.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How far back the history reaches; older samples are dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many samples the window holds.</summary>
    public int Capacity => (int)Math.Clamp(Math.Ceiling(Window / SampleInterval), 1, 100_000);
}
