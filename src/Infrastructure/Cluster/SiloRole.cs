namespace Herald.Infrastructure.Cluster;

/// <summary>The kind of process: a <c>gateway</c> (API, SSE, dashboard, and a silo) or a headless <c>silo</c>.</summary>
public sealed record SiloRole(string Name)
{
    public static readonly SiloRole Gateway = new("gateway");
    public static readonly SiloRole Silo = new("silo");
}

/// <summary>The live SSE listeners of this process; the gateway supplies it, a headless silo has none.</summary>
public interface ILocalConnectionCount
{
    int Count { get; }

    /// <summary>How many listeners each topic filter has, keyed by <see cref="ListenerFilters.Key"/>.</summary>
    IReadOnlyDictionary<string, int> CountByFilter();

    /// <summary>How many listeners' topic filters let <paramref name="topic"/> through.</summary>
    int CountMatching(string topic);
}

internal sealed class NoConnections : ILocalConnectionCount
{
    public int Count => 0;

    public IReadOnlyDictionary<string, int> CountByFilter() => new Dictionary<string, int>();

    public int CountMatching(string topic) => 0;
}
