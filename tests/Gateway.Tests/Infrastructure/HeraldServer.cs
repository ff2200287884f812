using System.Net.Http.Json;
using System.Text.Json;
using Herald.Gateway.Hosting;
using Herald.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Gateway.Tests.Infrastructure;

/// <summary>
/// A real gateway on real Kestrel, bound to 127.0.0.1 on a free port, built exactly as Program.cs builds it,
/// with the delivery policy shrunk to milliseconds unless a test says otherwise.
/// </summary>
public sealed class HeraldServer : IAsyncDisposable
{
    public static readonly IReadOnlyDictionary<string, string?> FastDelivery = new Dictionary<string, string?>
    {
        ["Herald:Delivery:Timeout"] = "00:00:05",
        ["Herald:Delivery:RetrySchedule:0"] = "00:00:00.050",
        ["Herald:Delivery:RetrySchedule:1"] = "00:00:00.050",
        ["Herald:Delivery:RetrySchedule:2"] = "00:00:00.050",
        ["Herald:Delivery:RetrySchedule:3"] = "00:00:00.050",
        ["Herald:Delivery:RetrySchedule:4"] = "00:00:00.050",
        ["Herald:Delivery:Jitter"] = "0",
    };

    /// <summary>
    /// Cluster mode on a database, with mutual TLS on Orleans's ports as a deployed cluster runs it: reconnects and
    /// fallback polling shrunk to milliseconds.
    /// </summary>
    public static Dictionary<string, string?> OnPostgres(string connectionString) => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = connectionString,
        ["Herald:Postgres:FallbackPollInterval"] = "00:00:00.050",
        ["Herald:Postgres:MaxReconnectDelay"] = "00:00:00.200",
        ["Herald:Cluster:StatsInterval"] = "00:00:00.200",

        // On by default in a cluster; the tests that look at it turn it back on (it costs each server a second to start).
        ["Herald:Cluster:OrleansDashboard"] = "false",

        // Cluster mode blocks private destinations; the test receivers are on loopback.
        ["Herald:Delivery:AllowedNetworks:0"] = "127.0.0.0/8",
    }.Concat(ClusterCertificates.Settings().Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).ToDictionary();

    /// <summary>Settings with <c>/metrics</c> on, which test servers leave off unless asked.</summary>
    public static Dictionary<string, string?> WithMetrics(IReadOnlyDictionary<string, string?>? settings = null) =>
        new(settings ?? new Dictionary<string, string?>()) { ["Herald:Telemetry:Metrics"] = "true" };

    /// <summary>Embedded mode on its default storage, a SQLite file, in a fresh folder the server removes when disposed.</summary>
    public static Dictionary<string, string?> OnSqlite() => new()
    {
        ["Herald:Storage"] = "Sqlite",
        ["Herald:DataPath"] = HeraldProcess.NewDataPath(),
    };

    private readonly WebApplication _app;
    private readonly string? _dataPath;

    private HeraldServer(WebApplication app, Uri baseAddress, string? dataPath)
    {
        _app = app;
        _dataPath = dataPath;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="configure">Runs after Herald's own registrations, before the build (a test's own exporter, say).</param>
    public static async Task<HeraldServer> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, bool fastDelivery = true, ILoggerProvider? logs = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var config = new Dictionary<string, string?>(fastDelivery ? FastDelivery : new Dictionary<string, string?>());
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            config[key] = value;

        // A meter listener hears every meter in the process, so each server's /metrics would also aggregate the
        // measurements of every other server running in parallel: on unless a test asks, it slowed the suite down.
        config.TryAdd("Herald:Telemetry:Metrics", "false");

        // Embedded tests run in memory unless they ask for the data file: each server starts empty, and none touches
        // the user's own data folder.
        if (!config.ContainsKey("ConnectionStrings:Postgres") && !config.ContainsKey("Herald:Storage"))
            config["Herald:Storage"] = "Memory";
        if (logs is not null)
        {
            // Everything, at every level: configuration's levels (appsettings.json) would otherwise win.
            config["Logging:LogLevel:Default"] = "Trace";
            config["Logging:LogLevel:Microsoft"] = "Trace";
            config["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        }
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.SetMinimumLevel(logs is null ? LogLevel.Warning : LogLevel.Trace);
        if (logs is not null)
            builder.Logging.AddProvider(logs);

        builder.AddHeraldGateway();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapHeraldGateway();
        await app.StartAsync();
        var server = new HeraldServer(app, new Uri(app.Urls.First()), config.GetValueOrDefault("Herald:Storage") == "Sqlite" ? config["Herald:DataPath"] : null);

        // As a load balancer would: traffic only once the process says it is ready (in a cluster: joined).
        await Eventually.TrueAsync(async () => (await server.Client.GetAsync("/readyz")).IsSuccessStatusCode, "the gateway is ready");
        return server;
    }

    public async Task<JsonElement> PostJsonAsync(string path, object body, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK)
    {
        using var response = await Client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path} returned {(int)response.StatusCode}, expected {(int)expected}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} returned {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Registers an endpoint through the rich API and returns its id.</summary>
    public async Task<string> CreateEndpointAsync(string url, string[]? topics = null, string? secret = null)
    {
        var created = await PostJsonAsync("/api/endpoints", new { url, topics, secret }, System.Net.HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// The endpoint's attempt log once it holds <paramref name="total"/> attempts: a receiver sees a delivery
    /// before Herald has read the answer and recorded the attempt, so reading straight after would race.
    /// </summary>
    public async Task<JsonElement> AttemptsAsync(string endpointId, int total)
    {
        JsonElement attempts = default;
        await Eventually.TrueAsync(async () =>
        {
            attempts = await GetJsonAsync($"/api/endpoints/{endpointId}/attempts");
            return attempts.GetProperty("total").GetInt32() >= total;
        }, $"endpoint {endpointId} has {total} recorded attempts");
        return attempts;
    }

    /// <summary>The endpoint's status once <paramref name="condition"/> holds (see <see cref="AttemptsAsync"/> for why).</summary>
    public async Task<JsonElement> StatusWhenAsync(string endpointId, Func<JsonElement, bool> condition, string because)
    {
        JsonElement status = default;
        await Eventually.TrueAsync(async () => condition(status = await GetJsonAsync($"/api/endpoints/{endpointId}")), because);
        return status;
    }

    public Task<JsonElement> PushAsync(string message, string? topic = null, bool wait = true) =>
        PostJsonAsync("/api/push", new { message, topic, wait }, wait ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.Accepted);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_dataPath is not null && Directory.Exists(_dataPath))
            Directory.Delete(_dataPath, recursive: true);
    }
}
