using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Herald.Bench;

/// <summary>
/// Fast loopback webhook receivers: one Kestrel server, one path per receiver (<c>/r/{i}</c>). Each arrival is
/// stamped with the harness's clock, the same clock that stamped the push, so latencies need no clock sync.
/// </summary>
public sealed class Receivers : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<long, Arrivals> _byMessage = new();

    private Receivers(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    public static async Task<Receivers> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receivers = new Receivers(app);
        app.MapPost("/r/{i:int}", receivers.ReceiveAsync);
        await app.StartAsync();
        return receivers;
    }

    public string Url(int i) => Url(BaseAddress, i);

    public static string Url(Uri baseAddress, int i) => $"{baseAddress}r/{i}";

    public Arrivals For(long messageId) => _byMessage.GetOrAdd(messageId, _ => new Arrivals());

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        var at = Stopwatch.GetTimestamp();
        using var body = await JsonDocument.ParseAsync(request.Body);
        var id = body.RootElement.GetProperty("id").GetInt64();
        For(id).Add(at);
        return Results.Ok();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The arrival times of one message across receivers.</summary>
public sealed class Arrivals
{
    private readonly ConcurrentQueue<long> _times = new();

    public int Count => _times.Count;

    public IReadOnlyCollection<long> Times => _times;

    public void Add(long timestamp) => _times.Enqueue(timestamp);

    /// <summary>Waits until <paramref name="count"/> receivers have the message, or the deadline passes.</summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Count < count)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                return false;
            await Task.Delay(1);
        }

        return true;
    }
}
