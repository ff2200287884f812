using System.ComponentModel.DataAnnotations;

namespace Herald.Silo.Streams;

/// <summary>Log retention, bound from <c>Herald:Stream</c>. What falls out of retention cannot be replayed.</summary>
public sealed class StreamOptions
{
    public const string Section = "Herald:Stream";

    /// <summary>The log keeps at least this many of the newest entries (subject to <see cref="RetentionAge"/>).</summary>
    [Range(1, 100_000_000)]
    public int RetentionCount { get; set; } = 100_000;

    /// <summary>Entries older than this are pruned.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan RetentionAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a log reader (the stream agent) waits before trying again after a read failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan FaultBackoff { get; set; } = TimeSpan.FromSeconds(1);
}
