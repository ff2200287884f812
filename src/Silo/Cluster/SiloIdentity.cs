using Microsoft.Extensions.Options;

namespace Herald.Silo.Cluster;

/// <summary>Who this process is in the cluster: its id, its role, and the address peers call it on.</summary>
public sealed class SiloIdentity(IOptions<ClusterOptions> options, SiloRole role)
{
    public string Id { get; } = options.Value.SiloId ?? $"{role.Name}-{Guid.NewGuid().ToString("N")[..8]}";

    public string Role => role.Name;

    public bool OwnsPartitions => options.Value.OwnsPartitions;

    /// <summary>Known once the server has bound its ports.</summary>
    public string Address { get; internal set; } = string.Empty;
}

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
}

internal sealed class NoConnections : ILocalConnectionCount
{
    public int Count => 0;
}
