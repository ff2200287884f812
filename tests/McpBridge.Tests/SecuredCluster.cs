using System.Collections.Concurrent;
using Herald.Testing;
using ModelContextProtocol.Client;

namespace Herald.McpBridge.Tests;

/// <summary>
/// A cluster set up as the README tells an operator to: a headless silo and a gateway process on PostgreSQL, API keys
/// of each scope, and mutual TLS on Orleans's ports. Bridges connect to it as Orleans clients with the key and the
/// certificate a test gives them.
/// </summary>
public sealed class SecuredCluster : IAsyncDisposable
{
    public const string ClusterId = "herald-secured";

    public static readonly string ReadKey = TestKeys.ByScope["read"];
    public static readonly string PushKey = TestKeys.ByScope["push"];
    public static readonly string AllKey = TestKeys.ByScope["all"];

    private readonly List<HeraldProcess> _processes = [];
    private readonly List<McpClient> _bridges = [];
    private string _postgres = null!;

    public HeraldProcess Silo { get; private set; } = null!;

    public HeraldProcess Gateway { get; private set; } = null!;

    /// <summary>Every line the bridges of this cluster wrote to stderr, their logs.</summary>
    public ConcurrentQueue<string> BridgeLogs { get; } = new();

    public static async Task<SecuredCluster> StartAsync(IReadOnlyDictionary<string, string>? extra = null)
    {
        var cluster = new SecuredCluster { _postgres = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync() };
        Dictionary<string, string> Settings(string name, bool hostsWebhooks) => new Dictionary<string, string>(TestKeys.ProcessSettings())
        {
            ["ConnectionStrings:Postgres"] = cluster._postgres,
            ["Herald:Cluster:ClusterId"] = ClusterId,
            ["Herald:Cluster:SiloName"] = name,
            ["Herald:Cluster:HostsWebhooks"] = hostsWebhooks ? "true" : "false",
            ["Herald:Delivery:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Herald:Delivery:Timeout"] = "00:00:05",
        }.Concat(ClusterCertificates.Settings()).Concat(extra ?? new Dictionary<string, string>()).ToDictionary(s => s.Key, s => s.Value);

        cluster.Silo = await HeraldProcess.StartSiloAsync("silo-1", Settings("silo-1", hostsWebhooks: true));
        cluster._processes.Add(cluster.Silo);
        cluster.Gateway = await HeraldProcess.StartGatewayAsync("gateway-1", Settings("gateway-1", hostsWebhooks: false));
        cluster._processes.Add(cluster.Gateway);
        await cluster.Silo.WaitReadyAsync();
        await cluster.Gateway.WaitReadyAsync();
        cluster.Gateway.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AllKey);
        return cluster;
    }

    /// <summary>
    /// A bridge over stdio as an Orleans client of this cluster, sending <paramref name="key"/> (none when null) and
    /// presenting <paramref name="certificate"/> (the cluster's by default; <see cref="NoCertificate"/> for none).
    /// </summary>
    public async Task<McpClient> BridgeAsync(string? key, ClusterCertificates.Issued? certificate = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = _postgres,
            ["Herald:Cluster:ClusterId"] = ClusterId,
            ["Herald:GatewayUrl"] = BridgeFixture.StoppedGatewayUrl(),
        };
        if (certificate != NoCertificate)
        {
            foreach (var (name, value) in ClusterCertificates.Settings(certificate))
                settings[name] = value;
        }

        if (key is not null)
            settings["Herald:ApiKey"] = key;
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
            settings[name] = value;
        var bridge = await BridgeFixture.ConnectStdioAsync(settings, BridgeLogs.Enqueue);
        _bridges.Add(bridge);
        return bridge;
    }

    /// <summary>Stands for "present no certificate" in <see cref="BridgeAsync"/>.</summary>
    public static readonly ClusterCertificates.Issued NoCertificate = new(string.Empty, string.Empty, null, null!);

    /// <summary>Stops the bridges and the processes (their output stays readable); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var bridge in _bridges)
            await bridge.DisposeAsync();
        foreach (var process in _processes)
            await process.DisposeAsync();
        _bridges.Clear();
        _processes.Clear();
    }
}
