using Herald.Silo.Storage;

namespace Herald.Silo.Sqlite;

/// <summary>How the embedded hub writes its data file, bound from <c>Herald:Sqlite</c>.</summary>
public sealed class SqliteOptions : DatabaseOptions
{
    public const string Section = "Herald:Sqlite";

    /// <summary>The database file's name inside <c>Herald:DataPath</c>.</summary>
    public const string FileName = "herald.db";

    /// <summary>
    /// <c>Full</c> (the default): a commit is on disk when it is acknowledged, so it survives a crash of the machine.
    /// <c>Normal</c>: it survives the process being killed, but the last commits may be lost if the machine loses
    /// power; commits cost no disk flush.
    /// </summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;
}

public enum SqliteSynchronous
{
    Full,
    Normal,
}
