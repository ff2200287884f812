using System.ComponentModel.DataAnnotations;

namespace Herald.Infrastructure.MessageLog;

/// <summary>
/// Retention of the message log, bound from <c>Herald:Log</c> (formerly <c>Herald:Stream</c>, still read). What falls
/// out of retention cannot be replayed.
/// </summary>
public sealed class LogOptions
{
    public const string Section = "Herald:Log";

    /// <summary>The section's name before "stream" came to mean SSE only; a value set under it still counts.</summary>
    public const string FormerSection = "Herald:Stream";

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
