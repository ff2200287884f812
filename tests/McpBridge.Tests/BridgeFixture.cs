using System.Net;
using System.Net.Sockets;
using Herald.Testing;
using ModelContextProtocol.Client;

namespace Herald.McpBridge.Tests;

/// <summary>
/// A real gateway process, the bridge launched over stdio by the SDK's own client, and the bridge as a
/// Streamable HTTP server: shared by the tests of one class.
/// </summary>
public sealed class BridgeFixture : IAsyncLifetime
{
    public HeraldProcess Gateway { get; private set; } = null!;

    public HeraldProcess HttpBridge { get; private set; } = null!;

    public McpClient Stdio { get; private set; } = null!;

    public McpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gateway = await HeraldProcess.StartGatewayAsync("gateway", new Dictionary<string, string>
        {
            ["Herald:Inbound:Sources:ci:Scheme"] = "none",
            ["Herald:Inbound:Sources:ci:TypeHeader"] = "X-Event",
            ["Herald:Delivery:Timeout"] = "00:00:05",
        });
        await Gateway.WaitReadyAsync();
        Stdio = await ConnectStdioAsync(Gateway.BaseAddress.ToString());

        HttpBridge = await HeraldProcess.StartAsync("bridge", "McpBridge",
            new Dictionary<string, string> { ["Herald:GatewayUrl"] = Gateway.BaseAddress.ToString(), ["Herald:ProgressInterval"] = "00:00:00.200" },
            ["--http"]);
        Http = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(HttpBridge.BaseAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        }));
    }

    /// <summary>The bridge over stdio, exactly as Claude Desktop or Cursor would launch it.</summary>
    public static Task<McpClient> ConnectStdioAsync(string gatewayUrl) =>
        McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "herald",
            Command = "dotnet",
            Arguments = [HeraldProcess.BuiltAssembly("McpBridge")],
            EnvironmentVariables = new Dictionary<string, string?>
            {
                ["Herald__GatewayUrl"] = gatewayUrl,
                ["Herald__ProgressInterval"] = "00:00:00.200",
                ["DOTNET_ENVIRONMENT"] = "Production",
            },
        }));

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
        await Gateway.DisposeAsync();
    }
}
