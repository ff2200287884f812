using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Bench;

/// <summary>
/// Herald as a real process: embedded on its default data file (<c>embedded</c>), embedded in memory (<c>memory</c>),
/// or cluster mode on a throwaway PostgreSQL (<c>cluster</c>). Limits lifted for load.
/// </summary>
public sealed class HeraldUnderTest : IAsyncDisposable
{
    private readonly PostgresServer? _postgres;

    private HeraldUnderTest(string mode, HeraldProcess process, PostgresServer? postgres)
    {
        Mode = mode;
        Process = process;
        _postgres = postgres;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public string Mode { get; }

    public HeraldProcess Process { get; }

    public HttpClient Client { get; }

    public static async Task<HeraldUnderTest> StartAsync(string mode)
    {
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Herald:Limits:RequestsPerMinute"] = "10000000",
            ["Herald:Limits:MaxEndpoints"] = "10000000",
            ["Herald:Sse:MaxConnections"] = "1000000",
            ["Herald:Sse:MaxConnectionsPerIp"] = "1000000",
            ["Herald:Sse:BufferCapacity"] = "4096",
            ["Herald:Delivery:AllowedNetworks:0"] = "127.0.0.0/8",
        };
        PostgresServer? postgres = null;
        if (mode == "memory")
            settings["Herald:Storage"] = "Memory";
        if (mode == "cluster")
        {
            postgres = await PostgresServer.StartDedicatedAsync();
            settings["ConnectionStrings:Postgres"] = await postgres.CreateDatabaseAsync();
            settings["Herald:Cluster:SiloName"] = "bench-gateway";
        }

        var started = Stopwatch.GetTimestamp();
        var process = await HeraldProcess.StartGatewayAsync($"herald-{mode}", settings);

        // Ready means the silo is active in Orleans membership, so its webhook grains can be placed from the first push.
        await process.WaitReadyAsync();
        return new HeraldUnderTest(mode, process, postgres) { StartupTime = Stopwatch.GetElapsedTime(started) };
    }

    /// <summary>From starting the process to its first successful <c>/readyz</c>.</summary>
    public TimeSpan StartupTime { get; private init; }

    public async Task<long> PushAsync(string message, bool wait = false)
    {
        using var response = await Client.PostAsJsonAsync("/api/push", new { message, wait });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public Task RegisterAsync(IEnumerable<string> urls) =>
        Parallel.ForEachAsync(urls, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (url, cancellationToken) =>
        {
            using var response = await Client.PostAsJsonAsync("/api/register", new { webhook_url = url }, cancellationToken);
            response.EnsureSuccessStatusCode();
        });

    /// <summary>The process's memory after a full collection: working set and live GC heap.</summary>
    public async Task<(long WorkingSet, long GcLive, int ActiveGrains)> MemoryAsync()
    {
        var diagnostics = await Client.GetFromJsonAsync<JsonElement>("/api/diagnostics?collect=true");
        return (diagnostics.GetProperty("working_set_bytes").GetInt64(), diagnostics.GetProperty("gc_live_bytes").GetInt64(), diagnostics.GetProperty("active_grains").GetInt32());
    }

    /// <summary>
    /// Waits until Herald has committed the storage writes that its deliveries queued (none in embedded mode), so a
    /// measurement starts on a quiet system rather than on the previous one's aftermath.
    /// </summary>
    public async Task WaitForQuietAsync()
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while ((await Client.GetFromJsonAsync<JsonElement>("/api/diagnostics")).GetProperty("pending_storage_writes").GetInt32() > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"{Mode}: storage writes still pending after 30 s.");
            await Task.Delay(5);
        }
    }

    /// <summary>Methods the JIT has compiled in Herald since it started, plus the harness's own.</summary>
    public async Task<long> CompiledMethodsAsync() =>
        (await Client.GetFromJsonAsync<JsonElement>("/api/diagnostics")).GetProperty("jit_compiled_methods").GetInt64() + await WarmUp.HarnessMethodsAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
    }
}
