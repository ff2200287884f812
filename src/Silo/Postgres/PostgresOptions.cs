using System.ComponentModel.DataAnnotations;

namespace Herald.Silo.Postgres;

/// <summary>
/// Cluster-mode settings, bound from <c>Herald:Postgres</c>. Cluster mode is on when the connection string
/// <c>ConnectionStrings:Postgres</c> (env <c>ConnectionStrings__Postgres</c>) is set.
/// </summary>
public sealed class PostgresOptions
{
    public const string Section = "Herald:Postgres";
    public const string ConnectionStringName = "Postgres";

    /// <summary>The longest wait between reconnect attempts after PostgreSQL became unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>While the notification connection is down, how often the log head is polled instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often retention pruning runs.</summary>
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
    /// How long the write batcher lets grain-state and attempt writes gather before it commits them, unless a full
    /// batch is waiting. Deliveries never wait for these writes; a longer linger means fewer, larger commits and
    /// less database work in the middle of a fan-out, and a crash loses at most this much bookkeeping (those
    /// messages are delivered again, with the same webhook-id). 0 commits whatever is pending at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan WriteLinger { get; set; } = TimeSpan.FromMilliseconds(10);
}
