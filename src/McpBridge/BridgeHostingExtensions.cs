using System.Text.Json;
using Herald.McpBridge.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Herald.McpBridge;

public static class BridgeHostingExtensions
{
    public const string DefaultHttpUrl = "http://127.0.0.1:8100";

    /// <summary>Tool results use the same snake_case names as Herald's HTTP API.</summary>
    public static readonly JsonSerializerOptions ToolJson = new(McpJsonUtilities.DefaultOptions) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IHostApplicationBuilder AddHeraldMcpBridge(this IHostApplicationBuilder builder, bool http)
    {
        // stdout is the protocol channel in stdio mode: every log line goes to stderr.
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);

        builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient<GatewayClient>(client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();

        var mcp = builder.Services.AddMcpServer(options =>
        {
            options.ServerInfo = new Implementation { Name = "herald", Title = "Herald event hub", Version = "1.0.0" };
            options.ServerInstructions =
                "Herald pushes messages to registered webhooks and live SSE listeners, and stores webhooks it receives from outside " +
                "(GitHub, Stripe, ...). Use push_webhook/push_stream to send, the get_* tools to look at received events, and " +
                "wait_for_event to block until the next one arrives (loop on its cursor).";
        });
        mcp.WithTools<PushTools>(ToolJson).WithTools<WebhookTools>(ToolJson).WithTools<EventTools>(ToolJson).WithTools<GitHubTools>(ToolJson);
        if (!http)
            mcp.WithStdioServerTransport();
        else if (builder is WebApplicationBuilder web && string.IsNullOrEmpty(builder.Configuration["urls"]))
            web.WebHost.UseUrls(DefaultHttpUrl);
        return builder;
    }
}
