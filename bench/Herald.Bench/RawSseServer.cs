using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.Bench;

/// <summary>
/// The raw writer: a bare Kestrel server that holds SSE connections and, on <c>POST /publish?token=N</c>, writes one
/// pre-encoded frame to all of them, nothing else. It is the floor of what an ASP.NET Core server pays per frame.
/// </summary>
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
            server._responses[context.Response] = 0;
            await context.Response.WriteAsync("data: connected\n\n");
            await context.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server._stop.Token).Token);
            }
            catch (OperationCanceledException)
            {
            }

            server._responses.TryRemove(context.Response, out _);
        });
        app.MapPost("/publish", async (long token) =>
        {
            await server.BroadcastAsync(token);
            return Results.Ok();
        });
        await app.StartAsync();
        return server;
    }

    private Task BroadcastAsync(long token)
    {
        var frame = Encoding.UTF8.GetBytes(SseTraffic.RawFrame(token));
        return Task.WhenAll(_responses.Keys.Select(async r =>
        {
            r.BodyWriter.Write(frame);
            await r.BodyWriter.FlushAsync();
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
