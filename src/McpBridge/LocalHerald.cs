using System.Collections.Concurrent;
using System.Net;
using Herald.Gateway.Hosting;
using ModelContextProtocol;

namespace Herald.McpBridge;

/// <summary>
/// Herald hubs this bridge started itself, as WebhookMCP and WebstreamMCP did: when a tool needs Herald at an address on
/// this machine and nothing listens there, an embedded hub (no setup; its data where a standalone hub keeps it)
/// starts on that port inside this process and serves until the bridge exits. Each port is started once, however
/// many calls race for it.
/// </summary>
public sealed partial class LocalHerald(ILogger<LocalHerald> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, Lazy<Task<WebApplication>>> _hubs = new();

    /// <summary>Loopback, or 0.0.0.0 ("this machine" in those servers' tools).</summary>
    public static bool IsThisMachine(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host, out var ip) && ip.Equals(IPAddress.Any));

    /// <summary>Starts Herald on the address's port unless this bridge did already. True when this call started it.</summary>
    public async Task<bool> EnsureStartedAsync(Uri address, CancellationToken cancellationToken)
    {
        var mine = new Lazy<Task<WebApplication>>(() => StartAsync(address.Port));
        var hub = _hubs.GetOrAdd(address.Port, mine);
        try
        {
            await hub.Value.WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _hubs.TryRemove(new KeyValuePair<int, Lazy<Task<WebApplication>>>(address.Port, hub));
            throw new McpException($"Nothing answered at {address.GetLeftPart(UriPartial.Authority)}, and Herald could not be started there: {exception.GetBaseException().Message}");
        }

        return ReferenceEquals(hub, mine);
    }

    private async Task<WebApplication> StartAsync(int port)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = Environments.Production });

        // stdout carries the MCP protocol: the hub logs to stderr, like the bridge.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddHeraldGateway();
        var app = builder.Build();
        app.MapHeraldGateway();
        await app.StartAsync();
        HubStarted(logger, port);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hub in _hubs.Values.Where(h => h.IsValueCreated))
        {
            try
            {
                await using var app = await hub.Value;
                await app.StopAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // It never started; nothing to stop.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing answered on 127.0.0.1:{Port}; started an embedded Herald there, in this bridge process")]
    private static partial void HubStarted(ILogger logger, int port);
}
