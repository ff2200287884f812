using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.Bench;

/// <summary>The SSE limit's server: holds raw connections and writes one frame to all of them, nothing else.</summary>
public sealed class RawSseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<HttpResponse, byte> _responses = new();
    private readonly CancellationTokenSource _stop = new();

    private RawSseServer(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    public static async Task<RawSseServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RawSseServer(app);
        app.MapGet("/sse", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await context.Response.WriteAsync("data: [0] connected\n\n");
            await context.Response.Body.FlushAsync();
            server._responses[context.Response] = 0;
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server._stop.Token).Token);
            }
            catch (OperationCanceledException)
            {
            }

            server._responses.TryRemove(context.Response, out _);
        });
        await app.StartAsync();
        return server;
    }

    public Task BroadcastAsync(long id)
    {
        var frame = Encoding.UTF8.GetBytes($"id: {id}\ndata: [2026-01-01T00:00:00.000Z] limit\n\n");
        return Task.WhenAll(_responses.Keys.Select(async r =>
        {
            await r.Body.WriteAsync(frame);
            await r.Body.FlushAsync();
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
