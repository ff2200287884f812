using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Application;
using Herald.McpBridge.Security;
using Herald.McpBridge.Tools;
using Herald.Infrastructure;
using Herald.Infrastructure.Hosting;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.Telemetry;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using HeraldClusterOptions = Herald.Infrastructure.Cluster.ClusterOptions;

namespace Herald.McpBridge.Hosting;

public static class BridgeHostingExtensions
{
    public const string DefaultHttpUrl = "http://127.0.0.1:8100";
    public const string HttpPath = "/mcp";

    /// <summary>Where the bridge's own keys (for its HTTP transport) are configured.</summary>
    public const string KeysSection = McpAccessOptions.Section;

    private const string McpCategoryPrefix = "ModelContextProtocol";
    private const string McpServerCategory = "ModelContextProtocol.Server.McpServer";

    /// <summary>
    /// Tool results use the same snake_case names as Herald's HTTP API, and write nulls: the output schemas list every
    /// field as required (null where allowed), and clients check results against them.
    /// </summary>
    public static readonly JsonSerializerOptions ToolJson = new(McpJsonUtilities.DefaultOptions)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
        Converters = { new WireTimeConverter() },
    };

    private static readonly Type[] ToolTypes = [typeof(PushTools), typeof(WebhookTools), typeof(EventTools), typeof(GitHubTools), typeof(DeploymentTools), typeof(ActionTools), typeof(ChannelTools)];

    /// <summary>
    /// Schemas every client accepts: a free-form value (an inbound payload) would otherwise be the boolean schema
    /// <c>true</c>, which clients built on the TypeScript SDK refuse; <c>{}</c> means the same and is an object.
    /// </summary>
    private static readonly AIJsonSchemaCreateOptions Schemas = new() { TransformSchemaNode = PlainSchema };

    private static JsonNode PlainSchema(AIJsonSchemaCreateContext context, JsonNode node)
    {
        // Timestamps are written by Herald's own converter (ISO-8601 UTC, Z suffix), whose shape the exporter cannot see.
        var type = context.TypeInfo.Type;
        if ((Nullable.GetUnderlyingType(type) ?? type) == typeof(DateTimeOffset))
            return new JsonObject { ["type"] = type == typeof(DateTimeOffset) ? "string" : new JsonArray("string", "null"), ["format"] = "date-time" };
        return node is JsonValue value && value.GetValueKind() == JsonValueKind.True ? new JsonObject() : node;
    }

    /// <summary>The bridge over Streamable HTTP: every request passes the <see cref="McpRequestGuard"/> first.</summary>
    public static WebApplication MapHeraldMcpBridge(this WebApplication app)
    {
        app.UseMiddleware<McpRequestGuard>();
        app.MapMcp(HttpPath);
        app.MapMetricsApi();
        return app;
    }

    /// <summary>The bridge over stdio (the default), or Streamable HTTP at <see cref="HttpPath"/>.</summary>
    public static IHostApplicationBuilder AddHeraldMcpBridge(this IHostApplicationBuilder builder, bool http)
    {
        // stdout is the protocol channel in stdio mode: every log line goes to stderr.
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);

        // At Trace the MCP SDK logs every JSON-RPC message whole: tool arguments and results, among them endpoint
        // secrets (a created webhook's is in its result). Pinned below Trace in code, so configuration cannot put
        // secrets into the logs by accident; its Debug lines name methods and tools only.
        builder.Logging.AddFilter(McpServerCategory, level => level > LogLevel.Trace);
        builder.Logging.AddFilter(McpCategoryPrefix, level => level > LogLevel.Trace);

        builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<BridgeConnections>();
        builder.Services.AddHttpClient<GatewayClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                // A redirect would be a request to wherever the gateway points: none are followed.
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = (context, cancellationToken) => services.GetRequiredService<BridgeConnections>().ConnectAsync(context.DnsEndPoint, cancellationToken),
            })
            .RemoveAllLoggers();
        builder.Services.AddSingleton<LocalHerald>();
        builder.Services.AddSingleton<McpMetrics>();

        // /metrics is served over HTTP only: stdout is the protocol in stdio mode (an OTLP collector can still be named).
        builder.AddHeraldTelemetry("herald-mcp", serveMetrics: http);
        builder.Services.AddTransient<RestHeraldApi>();

        // With the cluster's database configured, the tools call the grains as an Orleans client; otherwise HTTP.
        var cluster = StorageMode.ClusterConnectionString(builder.Configuration);
        if (cluster is null)
        {
            builder.Services.AddTransient<IHeraldApi>(services => services.GetRequiredService<RestHeraldApi>());
        }
        else
        {
            builder.Services.AddOptions<HeraldClusterOptions>().BindConfiguration(HeraldClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<OrleansConnection>(services, cluster));
            builder.Services.AddTransient<IHeraldApi, OrleansHeraldApi>();
        }

        var mcp = builder.Services.AddMcpServer(options =>
        {
            options.ServerInfo = new Implementation { Name = "herald", Title = "Herald event hub", Version = "1.0.0" };
            options.ServerInstructions =
                "Herald pushes messages to registered webhooks and live SSE listeners, and stores webhooks it receives from outside " +
                "(GitHub, Stripe, ...). Use push_webhook/push_stream to send, the get_* tools to look at received events, and " +
                "wait_for_event to block until the next one arrives (loop on its cursor).";
        });
        mcp.WithMessageFilters(filters => filters.AddIncomingFilter(ToolArgumentChecks.RejectNonObjectArguments))
            .WithRequestFilters(filters =>
            {
                // The first added runs outermost: refused arguments never reach the tools or the call counter.
                filters.AddCallToolFilter(ToolArgumentChecks.CheckAgainstSchema);
                filters.AddCallToolFilter(McpMetrics.CountCalls);
            });
        foreach (var method in ToolTypes.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance)).Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null))
        {
            builder.Services.AddSingleton(services => McpServerTool.Create(
                method,
                request => ActivatorUtilities.CreateInstance(request.Services!, method.DeclaringType!),
                new McpServerToolCreateOptions { Services = services, SerializerOptions = ToolJson, SchemaCreateOptions = Schemas }));
        }

        if (http)
        {
            // Stateless: any bridge instance answers any request, so instances can sit behind a load balancer.
            mcp.WithHttpTransport(options => options.Stateless = true);
            if (builder is WebApplicationBuilder web && string.IsNullOrEmpty(builder.Configuration["urls"]))
                web.WebHost.UseUrls(DefaultHttpUrl);

            builder.Services.AddOptions<McpAccessOptions>().BindConfiguration(McpAccessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
            var access = builder.Configuration.GetSection(McpAccessOptions.Section).Get<McpAccessOptions>() ?? new McpAccessOptions();
            if (!access.RequiresKey && ListenAddresses.BeyondLoopback(builder.Configuration, DefaultHttpUrl) is [_, ..] exposed)
            {
                throw new HeraldStartupException(
                    $"the MCP bridge would listen on {string.Join(", ", exposed)} with no key, and anyone who reaches it could use its tools (and, through them, " +
                    $"Herald with the bridge's own API key). Make a key with 'dotnet Herald.McpBridge.dll keys new' and set Herald__Mcp__Keys__0__Name and " +
                    $"Herald__Mcp__Keys__0__Hash, or listen on 127.0.0.1 only.");
            }
        }
        else
        {
            var stdio = new StdioDrain(Console.OpenStandardInput(), Console.OpenStandardOutput(), builder.Configuration.GetValue(
                $"{BridgeOptions.Section}:{nameof(BridgeOptions.EndOfInputGrace)}", BridgeOptions.DefaultEndOfInputGrace));
            mcp.WithStreamServerTransport(stdio.Input, stdio.Output);
        }

        return builder;
    }
}
