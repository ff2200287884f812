using System.Diagnostics;

namespace Herald.Grains.Telemetry;

/// <summary>The names under which Herald publishes its own metrics and traces, next to Orleans's and ASP.NET Core's.</summary>
public static class HeraldTelemetry
{
    public const string MeterName = "Herald";

    public const string ActivitySourceName = "Herald";

    /// <summary>Herald's spans. Starting one costs a null check while nothing listens (tracing off).</summary>
    public static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Histogram buckets for waits from milliseconds to an hour (a retry schedule's reach).</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    /// <summary>A response's status class as a bounded label: 2xx … 5xx, or none when no response arrived.</summary>
    public static string StatusClass(int? statusCode) => statusCode switch
    {
        null => "none",
        >= 100 and < 200 => "1xx",
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        >= 500 and < 600 => "5xx",
        _ => "other",
    };
}
