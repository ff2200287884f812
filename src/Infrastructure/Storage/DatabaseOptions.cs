using System.ComponentModel.DataAnnotations;

namespace Herald.Infrastructure.Storage;

/// <summary>What the two databases Herald keeps its log in (PostgreSQL in a cluster, the embedded SQLite file) tune alike.</summary>
public abstract class DatabaseOptions
{
    /// <summary>How often retention pruning of the log and the attempt log runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most rows one pruning statement deletes, so pruning never holds long locks.</summary>
    [Range(1, 1_000_000)]
    public int PruneBatchSize { get; set; } = 10_000;

    /// <summary>
    /// How many of the newest log entries this process keeps in memory after reading them, so the grains a push
    /// wakes read it once between them rather than once each. 0 turns the cache off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int LogTailEntries { get; set; } = 4096;

    /// <summary>The most characters (messages and inbound payloads) the log tail cache holds.</summary>
    [Range(0, 1L << 34)]
    public long LogTailChars { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// How long attempt-log writes gather before they are committed together, unless a full batch is waiting.
    /// Deliveries never wait for these writes; a longer linger means fewer, larger commits and less database work in
    /// the middle of a fan-out, and a crash loses at most this much bookkeeping (those messages are delivered again,
    /// with the same webhook-id). 0 commits whatever is pending at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan WriteLinger { get; set; } = TimeSpan.FromMilliseconds(10);
}
