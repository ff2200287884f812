namespace Herald.Infrastructure.Storage;

/// <summary>
/// Where this hub keeps its data, decided once from configuration before the host is built: PostgreSQL when
/// <c>ConnectionStrings:Postgres</c> is set (a cluster: every process shares it), otherwise an embedded hub's
/// <c>Herald:Storage</c> (<c>Sqlite</c>, the default, a data file under <c>Herald:DataPath</c>; or <c>Memory</c>).
/// Everything that behaves differently by storage asks this (it is registered as a singleton); a contradictory or
/// unknown setting stops the process with a message naming the key.
/// </summary>
public sealed record StorageMode
{
    public const string StorageKey = "Herald:Storage";
    public const string DataPathKey = "Herald:DataPath";
    /// <summary>The name of the connection string that makes a cluster (<c>ConnectionStrings:Postgres</c>).</summary>
    public const string ConnectionStringName = "Postgres";

    public const string ConnectionStringKey = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>The command-line switch for <c>Herald:Storage=Memory</c>.</summary>
    public const string InMemorySwitch = "--in-memory";

    private StorageMode(StorageKind kind, string? dataPath, string? connectionString)
    {
        Kind = kind;
        DataPath = dataPath;
        ConnectionString = connectionString;
    }

    /// <summary>An embedded hub that keeps nothing across a restart (and the in-process test cluster).</summary>
    public static StorageMode Memory { get; } = new(StorageKind.Memory, null, null);

    public StorageKind Kind { get; }

    /// <summary>The data folder of <see cref="StorageKind.Sqlite"/>, a full path; null otherwise.</summary>
    public string? DataPath { get; }

    /// <summary>The connection string of <see cref="StorageKind.Postgres"/> as configured (the backend adds Herald's pooling defaults); null otherwise.</summary>
    public string? ConnectionString { get; }

    /// <summary>
    /// Several processes share this storage, so this is a cluster: other processes reach its ports, deliveries meet
    /// private networks, the directory may move grains, and the statistics of other silos count.
    /// </summary>
    public bool IsCluster => Kind == StorageKind.Postgres;

    /// <summary>
    /// The folder used when <c>Herald:DataPath</c> is not set: the user's local application data (on Linux
    /// <c>$XDG_DATA_HOME</c> or <c>~/.local/share</c>), so the same hub finds the same data however it is started.
    /// </summary>
    public static string DefaultDataPath
    {
        get
        {
            var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(root) ? Path.GetFullPath("herald-data") : Path.Combine(root, "herald");
        }
    }

    public static StorageMode Sqlite(string dataPath) => new(StorageKind.Sqlite, Path.GetFullPath(dataPath), null);

    public static StorageMode Postgres(string connectionString) => new(StorageKind.Postgres, null, connectionString);

    /// <summary>
    /// The cluster's connection string when <c>ConnectionStrings:Postgres</c> is set; null otherwise. A hub reads it through <see cref="From"/>; the MCP bridge, which joins a cluster as an Orleans
    /// client and keeps no data of its own there, reads it here (its <c>Herald:Storage</c> is for the hub it may start).
    /// </summary>
    public static string? ClusterConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { } given && !string.IsNullOrWhiteSpace(given) ? given : null;

    /// <summary>The mode <paramref name="configuration"/> asks for; throws when it names no storage, or two.</summary>
    public static StorageMode From(IConfiguration configuration)
    {
        var connectionString = ClusterConnectionString(configuration);
        var storage = configuration[StorageKey];
        if (connectionString is not null)
        {
            return string.IsNullOrWhiteSpace(storage)
                ? new StorageMode(StorageKind.Postgres, null, connectionString)
                : throw new HeraldStartupException(
                    $"{StorageKey} chooses where an embedded hub keeps its data, but {ConnectionStringKey} is set, so this is a cluster on PostgreSQL. Remove one of the two.");
        }

        var kind = string.IsNullOrWhiteSpace(storage) ? StorageKind.Sqlite
            : Enum.TryParse<StorageKind>(storage.Trim(), ignoreCase: true, out var parsed) && parsed is StorageKind.Sqlite or StorageKind.Memory ? parsed
            : throw new HeraldStartupException($"{StorageKey} is '{storage}'; it must be Sqlite (the default: a data file under {DataPathKey}) or Memory (nothing kept across a restart).");
        if (kind == StorageKind.Memory)
            return Memory;
        var path = configuration[DataPathKey];
        return Sqlite(string.IsNullOrWhiteSpace(path) ? DefaultDataPath : path.Trim());
    }

    /// <summary>The arguments with <c>--in-memory</c> turned into the setting it stands for.</summary>
    public static string[] ExpandSwitches(string[] args) =>
        args.Select(a => string.Equals(a, InMemorySwitch, StringComparison.Ordinal) ? $"--{StorageKey}={StorageKind.Memory}" : a).ToArray();
}

public enum StorageKind
{
    /// <summary>Nothing kept across a restart: one embedded silo.</summary>
    Memory,

    /// <summary>One data file: one embedded silo.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database that every process of a cluster shares.</summary>
    Postgres,
}
