using Herald.Infrastructure.Security;
using Herald.McpBridge.Hosting;
using Herald.Infrastructure.Hosting;

// `keys new` prints a key for the bridge's HTTP transport and the configuration that holds its hash.
if (KeysCommand.TryRun(args, Console.Out, out var exitCode, BridgeHostingExtensions.KeysSection))
    return exitCode;

// stdio by default (stdout carries only the protocol); --http serves Streamable HTTP at /mcp.
if (args.Contains("--http"))
{
    return HeraldHostDefaults.Run(() =>
    {
        var builder = WebApplication.CreateBuilder(args.Where(a => a != "--http").ToArray());
        builder.AddHeraldMcpBridge(http: true);
        var app = builder.Build();
        app.MapHeraldMcpBridge();
        return app;
    });
}

var stdio = Host.CreateApplicationBuilder(args);
stdio.AddHeraldMcpBridge(http: false);
await stdio.Build().RunAsync();
return 0;
