using Herald.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Herald.McpBridge.Tests;

/// <summary>
/// A real gateway in this process, built as Program.cs builds it, that also counts the long-polls
/// (<c>/api/events/wait</c>) it is serving: a test can see a bridge's wait start on the gateway, and end there.
/// </summary>
public sealed class WatchedGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _waits;

    private WatchedGateway(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    /// <summary>Long-polls on the gateway whose request is still open.</summary>
    public int WaitsInFlight => Volatile.Read(ref _waits);

    public static async Task<WatchedGateway> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Herald:Inbound:Sources:ci:Scheme"] = "none",
            ["Herald:Inbound:Sources:ci:TypeHeader"] = "X-Event",
            ["Herald:Storage"] = "Memory",
        });
        builder.AddHeraldGateway();
        var app = builder.Build();
        var gateway = new WatchedGateway(app);
        app.Use(async (context, next) =>
        {
            var wait = context.Request.Path.StartsWithSegments("/api/events/wait", StringComparison.Ordinal);
            if (wait)
                Interlocked.Increment(ref gateway._waits);
            try
            {
                await next(context);
            }
            finally
            {
                if (wait)
                    Interlocked.Decrement(ref gateway._waits);
            }
        });
        app.MapHeraldGateway();
        await app.StartAsync();
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
