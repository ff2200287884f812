using System.Net.Http.Json;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Cluster.Tests.Infrastructure;

/// <summary>A database and the Herald processes of one test, all stopped (killed) at the end.</summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private readonly List<HeraldProcess> _processes = [];

    private ClusterHarness(string connectionString, PostgresServer postgres)
    {
        ConnectionString = connectionString;
        Postgres = postgres;
    }

    public string ConnectionString { get; }

    public PostgresServer Postgres { get; }

    public static async Task<ClusterHarness> CreateAsync(PostgresServer? dedicated = null)
    {
        var server = dedicated ?? await PostgresServer.SharedAsync();
        return new ClusterHarness(await server.CreateDatabaseAsync(), server);
    }

    /// <summary>Settings every process of the test shares: the database, and timings shrunk for a test.</summary>
    public Dictionary<string, string> Settings(string siloId, bool ownsPartitions = true) => new()
    {
        ["ConnectionStrings:Postgres"] = ConnectionString,
        ["Herald:Cluster:SiloId"] = siloId,
        ["Herald:Cluster:OwnsPartitions"] = ownsPartitions ? "true" : "false",
        ["Herald:Cluster:HeartbeatInterval"] = "00:00:00.250",
        ["Herald:Cluster:LeaseDuration"] = "00:00:03",
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

    public async Task<HeraldProcess> SiloAsync(string id)
    {
        var silo = await HeraldProcess.StartSiloAsync(id, Settings(id));
        _processes.Add(silo);
        return silo;
    }

    public async Task<HeraldProcess> GatewayAsync(string id, bool ownsPartitions = false)
    {
        var gateway = await HeraldProcess.StartGatewayAsync(id, Settings(id, ownsPartitions));
        _processes.Add(gateway);
        return gateway;
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

    /// <summary>Which silo holds each partition, as the gateway reports it.</summary>
    public static async Task<Dictionary<string, string?>> OwnersAsync(HeraldProcess gateway) =>
        (await ClusterAsync(gateway)).GetProperty("partitions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

    /// <summary>Waits until every partition is held by one of <paramref name="silos"/>, each holding its fair share.</summary>
    public static Task BalancedAsync(HeraldProcess gateway, params string[] silos) => Eventually.TrueAsync(async () =>
    {
        var owners = await OwnersAsync(gateway);
        var counts = silos.Select(s => owners.Values.Count(o => o == s)).ToArray();
        return owners.Values.All(o => o is not null && silos.Contains(o)) && counts.Max() - counts.Min() <= 1;
    }, $"the partitions are balanced over {string.Join(", ", silos)}", TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
    }
}
