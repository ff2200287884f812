using Herald.McpBridge;
using Herald.Silo.Telemetry;

// stdio by default (stdout carries only the protocol); --http serves Streamable HTTP at /mcp.
if (args.Contains("--http"))
{
    var builder = WebApplication.CreateBuilder(args.Where(a => a != "--http").ToArray());
    builder.AddHeraldMcpBridge(http: true);
    var app = builder.Build();
    app.MapMcp(BridgeHostingExtensions.HttpPath);
    app.MapMetricsApi();
    await app.RunAsync();
}
else
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.AddHeraldMcpBridge(http: false);
    await builder.Build().RunAsync();
}
