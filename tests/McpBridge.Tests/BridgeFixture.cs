using System.Net;
using System.Net.Sockets;
using Herald.Testing;
using ModelContextProtocol.Client;

namespace Herald.McpBridge.Tests;

/// <summary>
/// Herald as real processes, the bridge launched over stdio by the SDK's own client, and the bridge as a
/// Streamable HTTP server: shared by the tests of one class. Each kind of fixture connects the bridge its own way.
/// </summary>
public abstract class BridgeFixture : IAsyncLifetime
{
    /// <summary>
    /// Settings of the test gateways: an inbound source without verification, the signed github, stripe and vercel
    /// sources of <see cref="InboundSigning"/>, and a short attempt timeout.
    /// </summary>
    protected static readonly Dictionary<string, string> GatewaySettings = new Dictionary<string, string>
    {
        ["Herald:Inbound:Sources:ci:Scheme"] = "none",
        ["Herald:Inbound:Sources:ci:TypeHeader"] = "X-Event",
        ["Herald:Delivery:Timeout"] = "00:00:05",
    }.Concat(InboundSigning.Sources
        .Where(s => s.Key.Contains(":github:", StringComparison.Ordinal) || s.Key.Contains(":stripe:", StringComparison.Ordinal) || s.Key.Contains(":vercel:", StringComparison.Ordinal))
        .Select(s => KeyValuePair.Create(s.Key, s.Value!))).ToDictionary();

    private readonly List<HeraldProcess> _processes = [];

    /// <summary>The gateway whose HTTP API and SSE stream the tests use beside the bridge.</summary>
    public HeraldProcess Gateway { get; private set; } = null!;

    public HeraldProcess HttpBridge { get; private set; } = null!;

    public McpClient Stdio { get; private set; } = null!;

    public McpClient Http { get; private set; } = null!;

    /// <summary>What the push tools name as the Herald that took a push.</summary>
    public abstract string PushedThrough { get; }

    /// <summary>Starts Herald; returns the gateway the tests use and the bridge's settings (configuration keys).</summary>
    protected abstract Task<(HeraldProcess Gateway, Dictionary<string, string> Bridge)> StartHeraldAsync();

    protected async Task<HeraldProcess> StartedAsync(Task<HeraldProcess> starting)
    {
        var process = await starting;
        lock (_processes)
            _processes.Add(process);
        await process.WaitReadyAsync();
        return process;
    }

    public async Task InitializeAsync()
    {
        var (gateway, bridge) = await StartHeraldAsync();
        Gateway = gateway;
        bridge["Herald:ProgressInterval"] = "00:00:00.200";
        Stdio = await ConnectStdioAsync(bridge);

        HttpBridge = await HeraldProcess.StartAsync("bridge", "McpBridge", bridge, ["--http"]);
        Http = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(HttpBridge.BaseAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        }));
    }

    /// <summary>The bridge over stdio, exactly as Claude Desktop or Cursor would launch it.</summary>
    public static Task<McpClient> ConnectStdioAsync(string gatewayUrl) =>
        ConnectStdioAsync(new Dictionary<string, string> { ["Herald:GatewayUrl"] = gatewayUrl, ["Herald:ProgressInterval"] = "00:00:00.200" });

    /// <summary>
    /// The bridge over stdio with these settings, given as the environment variables a client's config would set;
    /// <paramref name="logs"/> hears each line it writes to stderr.
    /// </summary>
    public static Task<McpClient> ConnectStdioAsync(IReadOnlyDictionary<string, string> settings, Action<string>? logs = null)
    {
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => (string?)s.Value);
        environment["DOTNET_ENVIRONMENT"] = "Production";

        // A hub the bridge starts itself keeps nothing unless the test gives it a data folder: never the user's own.
        if (!environment.ContainsKey("Herald__DataPath") && !environment.ContainsKey("Herald__Storage"))
            environment["Herald__Storage"] = "Memory";
        return McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "herald",
            Command = "dotnet",
            Arguments = [HeraldProcess.BuiltAssembly("McpBridge")],
            EnvironmentVariables = environment,
            StandardErrorLines = logs,
        }));
    }

    /// <summary>A loopback URL where nothing listens: a gateway that is down.</summary>
    public static string StoppedGatewayUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
    }

    public async Task DisposeAsync()
    {
        await Stdio.DisposeAsync();
        await Http.DisposeAsync();
        await HttpBridge.DisposeAsync();
        foreach (var process in _processes)
            await process.DisposeAsync();
    }
}

/// <summary>The bridge calling an embedded gateway's HTTP API, as it does for a remote Herald behind an API key.</summary>
public sealed class RestBridgeFixture : BridgeFixture
{
    public override string PushedThrough => Gateway.BaseAddress.GetLeftPart(UriPartial.Authority);

    protected override async Task<(HeraldProcess Gateway, Dictionary<string, string> Bridge)> StartHeraldAsync()
    {
        var gateway = await StartedAsync(HeraldProcess.StartGatewayAsync("gateway", GatewaySettings));
        return (gateway, new Dictionary<string, string> { ["Herald:GatewayUrl"] = gateway.BaseAddress.ToString() });
    }
}

/// <summary>
/// The bridge as an Orleans client of a cluster on PostgreSQL (a headless silo that delivers and a gateway process
/// that serves the API), calling the grains over mutual TLS with the cluster's certificate, as a deployed cluster
/// requires. Its gateway URL points where nothing listens, so no tool can have used HTTP.
/// </summary>
public sealed class OrleansBridgeFixture : BridgeFixture
{
    public const string ClusterId = "herald-mcp";

    public override string PushedThrough => $"orleans://{ClusterId}";

    protected override async Task<(HeraldProcess Gateway, Dictionary<string, string> Bridge)> StartHeraldAsync()
    {
        var postgres = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        Dictionary<string, string> Settings(string name, bool hostsWebhooks, int clientGatewayPort = 0) => new Dictionary<string, string>(GatewaySettings)
        {
            ["Herald:Cluster:GatewayPort"] = clientGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ConnectionStrings:Postgres"] = postgres,
            ["Herald:Cluster:ClusterId"] = ClusterId,
            ["Herald:Cluster:SiloName"] = name,
            ["Herald:Cluster:HostsWebhooks"] = hostsWebhooks ? "true" : "false",
            ["Herald:Delivery:AllowedNetworks:0"] = "127.0.0.0/8",
        }.Concat(ClusterCertificates.Settings()).ToDictionary();

        // The silo starts first, so that it creates the schema while the gateway waits for the advisory lock.
        var silo = StartedAsync(HeraldProcess.StartSiloAsync("silo-1", Settings("silo-1", hostsWebhooks: true)));
        // The gateway process offers Orleans clients no port: the bridge connects through the headless silo, and
        // Orleans places its calls on the gateway process, the only one that hosts the API grain.
        var gateway = StartedAsync(HeraldProcess.StartGatewayAsync("gateway-1", Settings("gateway-1", hostsWebhooks: false, clientGatewayPort: -1)));
        await silo;
        return (await gateway, new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["Herald:Cluster:ClusterId"] = ClusterId,
            ["Herald:GatewayUrl"] = StoppedGatewayUrl(),
        }.Concat(ClusterCertificates.Settings()).ToDictionary());
    }
}
