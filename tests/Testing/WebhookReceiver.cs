using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.Testing;

/// <summary>One request a receiver got, with what it answered.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int AnsweredStatus)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No {name} header.");

    /// <summary>The log id of the delivered message (the body's <c>id</c>).</summary>
    public long MessageId => JsonDocument.Parse(Body).RootElement.GetProperty("id").GetInt64();

    /// <summary>The delivered message text (the body's <c>message</c>).</summary>
    public string Message => JsonDocument.Parse(Body).RootElement.GetProperty("message").GetString()!;
}

/// <summary>
/// A real HTTP receiver on Kestrel, 127.0.0.1, free port. Each path is one webhook endpoint; a test may give a
/// path a behaviour that decides the status (and may wait on a gate to be slow).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<ReceivedRequest, int, Task<(int Status, string? RetryAfter)>>> _behaviours = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    public IReadOnlyCollection<ReceivedRequest> Requests => _requests;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>Decides the answer of a path: receives the request and the 1-based number of its call.</summary>
    public void Behave(string path, Func<ReceivedRequest, int, Task<(int Status, string? RetryAfter)>> behaviour) =>
        _behaviours["/" + path.TrimStart('/')] = behaviour;

    public void Answer(string path, Func<int, int> statusForCall) =>
        Behave(path, (_, call) => Task.FromResult<(int, string?)>((statusForCall(call), null)));

    /// <summary>The requests a path got that it answered with 2xx, in arrival order.</summary>
    public IReadOnlyList<ReceivedRequest> Delivered(string path) =>
        _requests.Where(r => r.Path == "/" + path.TrimStart('/') && r.AnsweredStatus is >= 200 and < 300).ToArray();

    public IReadOnlyList<ReceivedRequest> All(string path) =>
        _requests.Where(r => r.Path == "/" + path.TrimStart('/')).ToArray();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value!;
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var call = _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
        var (status, retryAfter) = _behaviours.TryGetValue(path, out var behaviour)
            ? await behaviour(new ReceivedRequest(path, headers, body, 0), call)
            : (200, null);

        _requests.Enqueue(new ReceivedRequest(path, headers, body, status));
        context.Response.StatusCode = status;
        if (retryAfter is not null)
            context.Response.Headers.RetryAfter = retryAfter;
        await context.Response.WriteAsync($"answered {status}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
