using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Bench;

/// <summary>
/// Herald as real processes: embedded on its default data file (<c>embedded</c>), embedded in memory (<c>memory</c>),
/// one gateway on a throwaway PostgreSQL (<c>postgres</c>), or a cluster of two silos and a gateway that hosts no
/// webhook grains on one PostgreSQL, talking over mutual TLS as a deployed cluster does (<c>cluster</c>), or in the
/// clear (<c>cluster+plaintext</c>, to show what TLS costs). Limits lifted for load.
/// </summary>
public sealed class HeraldUnderTest : IAsyncDisposable
{
    // The silos' figures reach the gateway's /api/cluster this often; the quiet wait reads them there.
    private static readonly TimeSpan StatsInterval = TimeSpan.FromMilliseconds(100);

    // Each poll costs Herald a request and a read of its own /proc entries, which the fan-out's CPU per delivery
    // would otherwise count: every 5 ms it was most of a 100-endpoint burst's CPU.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly PostgresServer? _postgres;
    private readonly HeraldProcess[] _silos;

    private HeraldUnderTest(string mode, HeraldProcess process, HeraldProcess[] silos, PostgresServer? postgres)
    {
        Mode = mode;
        Process = process;
        _silos = silos;
        _postgres = postgres;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public string Mode { get; }

    public HeraldProcess Process { get; }

    public HttpClient Client { get; }

    /// <summary>Every Herald process of this mode: the gateway, and the silos in cluster mode.</summary>
    /// <summary>What each of Herald's processes last logged, for an error that says why a scenario stalled.</summary>
    public string LogTail(int lines = 40) =>
        string.Join('\n', new[] { Process }.Concat(_silos).Select(p => $"--- {p.Name}:\n" + string.Join('\n', p.Output.Split('\n').TakeLast(lines))));

    /// <summary>The CPU seconds PostgreSQL has used so far (cluster and postgres modes), null without it.</summary>
    public double? PostgresCpuSeconds() =>
        _postgres is not null && File.Exists(Path.Combine(_postgres.Root, "data", "postmaster.pid"))
            && int.TryParse(File.ReadLines(Path.Combine(_postgres.Root, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture, out var postmaster)
            ? ProcessCpu.TreeSeconds(postmaster)
            : null;

    public IReadOnlyList<int> Pids => [Process.Pid, .. _silos.Select(s => s.Pid)];

    /// <summary>A cluster of silos and a gateway, with or without TLS between them.</summary>
    public static bool IsCluster(string mode) => mode is "cluster" or "cluster+plaintext";

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
        if (mode == "embedded+traced")
            settings["Herald:Telemetry:Traces"] = "true";
        if (mode == "embedded+no-telemetry")
            settings["Herald:Telemetry:Metrics"] = "false";
        PostgresServer? postgres = null;
        if (mode == "memory")
            settings["Herald:Storage"] = "Memory";
        if (mode == "postgres" || IsCluster(mode))
        {
            postgres = await PostgresServer.StartDedicatedAsync();
            // The tests' fixture fails fast (a 5 s connect timeout); Herald runs here as an operator would, on Npgsql's default.
            settings["ConnectionStrings:Postgres"] = new Npgsql.NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Timeout = 15 }.ConnectionString;
            settings["Herald:Cluster:SiloName"] = "bench-gateway";
            settings["Herald:Cluster:StatsInterval"] = StatsInterval.ToString();
        }

        var started = Stopwatch.GetTimestamp();
        HeraldProcess[] silos = [];
        if (IsCluster(mode))
        {
            // The gateway serves the API and SSE; the two silos host the webhook grains, as deploy/ runs them.
            settings["Herald:Cluster:HostsWebhooks"] = "false";
            if (mode == "cluster")
            {
                foreach (var (key, value) in ClusterCertificates.Settings())
                    settings[key] = value;
            }

            silos = await Task.WhenAll(Enumerable.Range(1, 2).Select(i => HeraldProcess.StartSiloAsync($"herald-silo-{i}",
                new Dictionary<string, string>(settings) { ["Herald:Cluster:SiloName"] = $"bench-silo-{i}", ["Herald:Cluster:HostsWebhooks"] = "true" })));
        }

        var process = await HeraldProcess.StartGatewayAsync($"herald-{mode}", settings);

        // Ready means each silo is active in Orleans membership, so webhook grains can be placed from the first push.
        foreach (var silo in silos)
            await silo.WaitReadyAsync();
        await process.WaitReadyAsync();
        var herald = new HeraldUnderTest(mode, process, silos, postgres) { StartupTime = Stopwatch.GetElapsedTime(started) };
        if (silos.Length > 0)
            await herald.WaitForMembersAsync(silos.Length + 1);
        return herald;
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
        while (await PendingStorageWritesAsync() > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"{Mode}: storage writes still pending after 30 s.\n{LogTail()}");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>
    /// This process's backlog, or in cluster mode the silos' as they last reported it: zero there is only believed
    /// after two more reports.
    /// </summary>
    private async Task<int> PendingStorageWritesAsync()
    {
        if (_silos.Length == 0)
            return (await Client.GetFromJsonAsync<JsonElement>("/api/diagnostics")).GetProperty("pending_storage_writes").GetInt32();
        var pending = (await Client.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("pending_storage_writes").GetInt32();
        if (pending > 0)
            return pending;
        await Task.Delay(StatsInterval * 2.5);
        return (await Client.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("pending_storage_writes").GetInt32();
    }

    private async Task WaitForMembersAsync(int count)
    {
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while ((await Client.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") < count)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"{Mode}: fewer than {count} active members after 60 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>Methods the JIT has compiled in Herald since it started, plus the harness's own.</summary>
    public async Task<long> CompiledMethodsAsync() =>
        (await Client.GetFromJsonAsync<JsonElement>("/api/diagnostics")).GetProperty("jit_compiled_methods").GetInt64() + await WarmUp.HarnessMethodsAsync();

    /// <summary>
    /// The gateway's running totals (silos are not asked): milliseconds its JIT has spent compiling and bytes it has
    /// allocated since it started.
    /// </summary>
    public async Task<(double JitMs, long Allocated)> WorkTotalsAsync()
    {
        var diagnostics = await Client.GetFromJsonAsync<JsonElement>("/api/diagnostics");
        return (diagnostics.GetProperty("jit_compilation_ms").GetDouble(), diagnostics.GetProperty("total_allocated_bytes").GetInt64());
    }

    /// <summary>Herald's CPU while nothing is asked of it, in milliseconds per second, over <paramref name="window"/>.</summary>
    public async Task<double> IdleCpuMillisecondsPerSecondAsync(TimeSpan window)
    {
        var before = ProcessCpu.Seconds(Pids);
        await Task.Delay(window);
        return (ProcessCpu.Seconds(Pids) - before) * 1000 / window.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
        foreach (var silo in _silos)
            await silo.DisposeAsync();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
    }
}
