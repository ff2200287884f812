using Microsoft.Extensions.Configuration;

namespace Herald.Silo.Hosting;

/// <summary>
/// Where an embedded hub keeps its data: <c>Herald:Storage</c> (<c>Sqlite</c>, the default, or <c>Memory</c>) and
/// <c>Herald:DataPath</c>. Read before the host is built, since they decide which providers are registered; a bad
/// value stops the process with a message naming the key.
/// </summary>
public sealed record StorageSettings(EmbeddedStorage Storage, string DataPath)
{
    public const string StorageKey = "Herald:Storage";
    public const string DataPathKey = "Herald:DataPath";

    /// <summary>The command-line switch for <c>Herald:Storage=Memory</c>.</summary>
    public const string InMemorySwitch = "--in-memory";

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

    /// <summary>The settings in <paramref name="configuration"/>; throws when <c>Herald:Storage</c> names no storage.</summary>
    public static StorageSettings From(IConfiguration configuration)
    {
        var storage = configuration[StorageKey];
        var kind = string.IsNullOrWhiteSpace(storage) ? EmbeddedStorage.Sqlite
            : Enum.TryParse<EmbeddedStorage>(storage.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
            : throw new HeraldStartupException($"{StorageKey} is '{storage}'; it must be Sqlite (the default: a data file under {DataPathKey}) or Memory (nothing kept across a restart).");
        var path = configuration[DataPathKey];
        return new StorageSettings(kind, Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? DefaultDataPath : path.Trim()));
    }

    /// <summary>The arguments with <c>--in-memory</c> turned into the setting it stands for.</summary>
    public static string[] ExpandSwitches(string[] args) =>
        args.Select(a => string.Equals(a, InMemorySwitch, StringComparison.Ordinal) ? $"--{StorageKey}={EmbeddedStorage.Memory}" : a).ToArray();
}

public enum EmbeddedStorage
{
    Sqlite,
    Memory,
}
