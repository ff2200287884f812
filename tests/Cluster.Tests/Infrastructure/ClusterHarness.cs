using System.Net.Http.Json;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Cluster.Tests.Infrastructure;

/// <summary>A database and the Herald processes of one test, all stopped (killed) at the end.</summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private readonly List<HeraldProcess> _processes = [];

    private readonly bool _tls;

    private ClusterHarness(string connectionString, PostgresServer postgres, bool tls)
    {
        ConnectionString = connectionString;
        Postgres = postgres;
        _tls = tls;
    }

    public string ConnectionString { get; }

    public PostgresServer Postgres { get; }

    /// <param name="tls">Mutual TLS on Orleans's ports with the test cluster's certificate, as a deployed cluster runs; off, the processes talk in the clear on loopback.</param>
    public static async Task<ClusterHarness> CreateAsync(PostgresServer? dedicated = null, bool tls = true)
    {
        var server = dedicated ?? await PostgresServer.SharedAsync();
        return new ClusterHarness(await server.CreateDatabaseAsync(), server, tls);
    }

    /// <summary>Settings every process of the test shares: the database, the cluster's certificate, and timings shrunk for a test.</summary>
    public Dictionary<string, string> Settings(string siloName, bool hostsWebhooks = true)
    {
        var settings = Shared(siloName, hostsWebhooks);
        if (_tls)
        {
            foreach (var (key, value) in ClusterCertificates.Settings())
                settings[key] = value;
        }

        return settings;
    }

    private Dictionary<string, string> Shared(string siloName, bool hostsWebhooks) => new()
    {
        ["ConnectionStrings:Postgres"] = ConnectionString,
        ["Herald:Cluster:SiloName"] = siloName,
        ["Herald:Cluster:HostsWebhooks"] = hostsWebhooks ? "true" : "false",
        ["Herald:Cluster:StatsInterval"] = "00:00:00.250",
        ["Herald:Postgres:FallbackPollInterval"] = "00:00:00.100",
        ["Herald:Postgres:MaxReconnectDelay"] = "00:00:00.500",
        ["Herald:Delivery:RetrySchedule:0"] = "00:00:00.100",
        ["Herald:Delivery:RetrySchedule:1"] = "00:00:00.200",
        ["Herald:Delivery:RetrySchedule:2"] = "00:00:00.400",
        ["Herald:Delivery:RetrySchedule:3"] = "00:00:00.800",
        ["Herald:Delivery:Timeout"] = "00:00:05",
        ["Herald:Delivery:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Herald:Rates:SampleInterval"] = "00:00:00.250",
    };

    public async Task<HeraldProcess> SiloAsync(string id, IReadOnlyDictionary<string, string>? extra = null)
    {
        var silo = await HeraldProcess.StartSiloAsync(id, With(Settings(id), extra));
        _processes.Add(silo);
        return silo;
    }

    public async Task<HeraldProcess> GatewayAsync(string id, bool hostsWebhooks = false, IReadOnlyDictionary<string, string>? extra = null)
    {
        var gateway = await HeraldProcess.StartGatewayAsync(id, With(Settings(id, hostsWebhooks), extra));
        _processes.Add(gateway);
        return gateway;
    }

    /// <summary>Starts a process without waiting for it to listen: it may be waiting for the database.</summary>
    public HeraldProcess Launch(string id, string project, IReadOnlyDictionary<string, string>? extra = null)
    {
        var process = HeraldProcess.Launch(id, project, With(Settings(id, hostsWebhooks: project == "Silo"), extra));
        _processes.Add(process);
        return process;
    }

    private static Dictionary<string, string> With(Dictionary<string, string> settings, IReadOnlyDictionary<string, string>? extra)
    {
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        return settings;
    }

    /// <summary>Starts the processes together and waits until each is ready (reaches the database, has joined).</summary>
    public static async Task<HeraldProcess[]> ReadyAsync(params Task<HeraldProcess>[] starting)
    {
        var processes = await Task.WhenAll(starting);
        foreach (var process in processes)
            await process.WaitReadyAsync();
        return processes;
    }

    /// <summary>Registers receiver paths r0…r{count-1} through the gateway.</summary>
    public static async Task RegisterReceiversAsync(HeraldProcess gateway, WebhookReceiver receiver, int count)
    {
        for (var i = 0; i < count; i++)
            (await gateway.Client.PostAsJsonAsync("/api/register", new { webhook_url = receiver.Url($"r{i}") })).EnsureSuccessStatusCode();
    }

    public static async Task<JsonElement> ClusterAsync(HeraldProcess gateway) =>
        (await gateway.Client.GetFromJsonAsync<JsonElement>("/api/cluster"))!;

    /// <summary>The status of each member as the gateway's cluster view shows it, by silo name.</summary>
    public static async Task<Dictionary<string, string>> StatusesAsync(HeraldProcess gateway) =>
        (await ClusterAsync(gateway)).GetProperty("silos").EnumerateArray()
            .GroupBy(s => s.GetProperty("id").GetString()!)
            .ToDictionary(g => g.Key, g => g.Any(s => s.GetProperty("status").GetString() == "active") ? "active" : g.Last().GetProperty("status").GetString()!);

    /// <summary>Active webhook grains on each silo, by silo name, as the silos last reported them.</summary>
    public static async Task<Dictionary<string, int>> WebhookGrainsAsync(HeraldProcess gateway) =>
        (await ClusterAsync(gateway)).GetProperty("silos").EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() == "active")
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("webhook_grains").GetInt32());

    /// <summary>Waits until <paramref name="silos"/> are active members, as the gateway sees them (with their reports in).</summary>
    public static Task ActiveAsync(HeraldProcess gateway, params string[] silos) => Eventually.TrueAsync(async () =>
    {
        var view = (await ClusterAsync(gateway)).GetProperty("silos").EnumerateArray().ToArray();
        return silos.All(name => view.Any(s => s.GetProperty("id").GetString() == name && s.GetProperty("status").GetString() == "active" &&
                                               s.GetProperty("role").GetString() is { Length: > 0 }));
    }, $"{string.Join(", ", silos)} are active", TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
    }
}
