using Herald.Infrastructure.Storage;

namespace Herald.Infrastructure.Sqlite;

/// <summary>How the embedded hub writes its data file, bound from <c>Herald:Sqlite</c>.</summary>
public sealed class SqliteOptions : DatabaseOptions
{
    public const string Section = "Herald:Sqlite";

    /// <summary>The database file's name inside <c>Herald:DataPath</c>.</summary>
    public const string FileName = "herald.db";

    /// <summary>
    /// Attempts linger 100 ms here, not PostgreSQL's 10: the file's one writer shares the CPU with the deliveries, and
    /// at 10 ms it inserted a fan-out's attempts in the middle of the fan-out (measured: a burst to 1,000 endpoints took
    /// a fifth longer than in memory; at 100 ms, as long). A kill -9 then loses up to 100 ms of attempt records, whose
    /// messages are delivered again with the same webhook-id.
    /// </summary>
    public SqliteOptions() => WriteLinger = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// <c>Normal</c> (the default): a commit is in the operating system's hands when it is acknowledged, so it survives
    /// the process crashing or being killed; a power cut or a crash of the machine may lose the last commits (never the
    /// file's consistency). <c>Full</c>: each commit is flushed to disk first, so it survives those too. A flush costs
    /// a fraction of a millisecond on a quiet disk and far more on a busy one: measured under sustained load, Full
    /// multiplied the push latency's p99 by ten or more (see the README's Performance section).
    /// </summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Normal;
}

public enum SqliteSynchronous
{
    Full,
    Normal,
}
