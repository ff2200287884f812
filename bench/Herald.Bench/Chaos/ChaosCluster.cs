using System.Diagnostics;
using Herald.Testing;

namespace Herald.Bench.Chaos;

/// <summary>The processes' log lines at Warning and Error, the Error ones by category, and the CodecNotFoundException lines.</summary>
public sealed record LogCounts(int Errors, int Warnings, IReadOnlyDictionary<string, int> ErrorsByCategory, int CodecNotFound);

/// <summary>One fault as it happened: what was hit, when, how the stop went, and how long the replacement took to be ready.</summary>
public sealed record FaultRecord(string Kind, string Target, double At, double StopSeconds, int? ExitCode, double RestartToReadySeconds);

/// <summary>
/// The cluster a chaos run attacks: three silos and two gateways that host no webhook grains, on a PostgreSQL of its
/// own, over mutual TLS, as deploy/ runs them. Every process the run kills is started again under the same name; a
/// gateway comes back on a new port, so the load and the listeners always ask for the current one.
/// </summary>
internal sealed class ChaosCluster : IAsyncDisposable
{
    public const int SiloCount = 3;
    public const int GatewayCount = 2;

    private readonly PostgresServer _postgres;
    private readonly Dictionary<string, string> _settings;
    private readonly HeraldProcess?[] _silos = new HeraldProcess?[SiloCount];
    private readonly HeraldProcess?[] _gateways = new HeraldProcess?[GatewayCount];
    private readonly List<HeraldProcess> _retired = [];
    private const int MaxStarts = 5;
    private int _nextSilo;
    private int _nextGateway;
    private int _failedStarts;

    private ChaosCluster(PostgresServer postgres, Dictionary<string, string> settings)
    {
        _postgres = postgres;
        _settings = settings;
    }

    public static async Task<ChaosCluster> StartAsync(string grainDirectory)
    {
        // Crash-safe commits: the run restarts it with -m immediate, and an acknowledged push must survive that.
        var postgres = await PostgresServer.StartDedicatedAsync(crashSafeCommits: true);
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = new Npgsql.NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Timeout = 15 }.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:Console:TimestampFormat"] = "HH:mm:ss.fff ",
            ["Herald:Limits:RequestsPerMinute"] = "10000000",
            ["Herald:Sse:MaxConnectionsPerIp"] = "1000",
            ["Herald:Delivery:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Herald:Cluster:GrainDirectory"] = grainDirectory,

            // Long enough that a receiver failing for 30 s gets every message once it answers again.
            ["Herald:Delivery:RetrySchedule:0"] = "00:00:01",
            ["Herald:Delivery:RetrySchedule:1"] = "00:00:02",
            ["Herald:Delivery:RetrySchedule:2"] = "00:00:04",
            ["Herald:Delivery:RetrySchedule:3"] = "00:00:08",
            ["Herald:Delivery:RetrySchedule:4"] = "00:00:15",
            ["Herald:Delivery:RetrySchedule:5"] = "00:00:30",
            ["Herald:Delivery:RetrySchedule:6"] = "00:00:30",
            ["Herald:Delivery:RetrySchedule:7"] = "00:00:30",
        };
        foreach (var (key, value) in ClusterCertificates.Settings())
            settings[key] = value;

        var cluster = new ChaosCluster(postgres, settings);
        var silos = Enumerable.Range(0, SiloCount).Select(i => cluster.StartSiloAsync(i));
        var gateways = Enumerable.Range(0, GatewayCount).Select(i => cluster.StartGatewayAsync(i));
        await Task.WhenAll(silos.Concat(gateways));
        return cluster;
    }

    public HeraldProcess? Gateway(int index) => Volatile.Read(ref _gateways[index]);

    /// <summary>A gateway that is up, preferring <paramref name="index"/>.</summary>
    public HeraldProcess? AnyGateway(int index) => Gateway(index % GatewayCount) ?? Gateway((index + 1) % GatewayCount);

    public IEnumerable<int> Pids => _silos.Concat(_gateways).Where(p => p is { HasExited: false }).Select(p => p!.Pid);

    /// <summary>Injects one fault and heals it: the process hit is started again (PostgreSQL restarted), ready before this returns.</summary>
    public async Task<FaultRecord> InjectAsync(string kind, double at)
    {
        switch (kind)
        {
            case "sigkill-silo":
            case "sigterm-silo":
            {
                var index = _nextSilo++ % SiloCount;
                var victim = _silos[index]!;
                var (stopSeconds, exitCode) = await StopAsync(victim, kind == "sigterm-silo");
                Volatile.Write(ref _silos[index], null);
                var ready = await TimeAsync(() => StartSiloAsync(index));
                return new FaultRecord(kind, victim.Name, at, stopSeconds, exitCode, ready);
            }

            case "sigkill-gateway":
            {
                var index = _nextGateway++ % GatewayCount;
                var victim = _gateways[index]!;
                Volatile.Write(ref _gateways[index], null);
                var (stopSeconds, exitCode) = await StopAsync(victim, graceful: false);
                var ready = await TimeAsync(() => StartGatewayAsync(index));
                return new FaultRecord(kind, victim.Name, at, stopSeconds, exitCode, ready);
            }

            case "pg-restart":
            {
                var stop = Stopwatch.StartNew();
                await _postgres.StopAsync(immediate: true);
                var stopSeconds = stop.Elapsed.TotalSeconds;
                var ready = await TimeAsync(_postgres.StartAgainAsync);
                return new FaultRecord(kind, "postgres", at, stopSeconds, null, ready);
            }

            default:
                throw new ArgumentException($"unknown fault {kind}; the faults are {string.Join(", ", ChaosPlan.KnownFaults)}");
        }
    }

    private async Task<(double Seconds, int? ExitCode)> StopAsync(HeraldProcess victim, bool graceful)
    {
        lock (_retired)
            _retired.Add(victim);
        var clock = Stopwatch.StartNew();
        if (!graceful)
        {
            await victim.KillAsync();
            return (clock.Elapsed.TotalSeconds, null);
        }

        try
        {
            await victim.StopAsync();
        }
        catch (OperationCanceledException)
        {
            // Not gone within 30 s of SIGTERM: a finding, and the process is killed so the run goes on.
            await victim.KillAsync();
        }

        return (clock.Elapsed.TotalSeconds, victim.ExitCode);
    }

    /// <summary>
    /// Starts a process until it is ready. One that dies while starting (Orleans stops a silo that the others declared
    /// dead because a saturated machine kept it from answering their probes in time) is counted, its log kept, and
    /// started again, as an orchestrator would; the run goes on.
    /// </summary>
    private async Task<HeraldProcess> SuperviseAsync(string name, string project, bool hostsWebhooks)
    {
        var settings = new Dictionary<string, string>(_settings) { ["Herald:Cluster:SiloName"] = name, ["Herald:Cluster:HostsWebhooks"] = hostsWebhooks ? "true" : "false" };
        for (var attempt = 1; ; attempt++)
        {
            var process = HeraldProcess.Launch(name, project, settings);
            try
            {
                await process.ListeningAsync(TimeSpan.FromSeconds(60));
                await process.WaitReadyAsync();
                return process;
            }
            catch (InvalidOperationException) when (process.HasExited && attempt < MaxStarts)
            {
                Interlocked.Increment(ref _failedStarts);
                Console.Error.WriteLine($"herald-bench: chaos {name} exited ({process.ExitCode}) while starting; starting it again");
                lock (_retired)
                    _retired.Add(process);
            }
        }
    }

    private static async Task<double> TimeAsync(Func<Task> start)
    {
        var clock = Stopwatch.StartNew();
        await start();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Processes in the cluster now that have exited though no fault hit them.</summary>
    public int Exited => _silos.Concat(_gateways).Count(p => p is { HasExited: true });

    /// <summary>Processes that died while starting and were started again, as an orchestrator would.</summary>
    public int FailedStarts => Volatile.Read(ref _failedStarts);

    private async Task StartSiloAsync(int index) =>
        Volatile.Write(ref _silos[index], await SuperviseAsync($"chaos-silo-{index + 1}", "Silo", hostsWebhooks: true));

    private async Task StartGatewayAsync(int index)
    {
        var gateway = await SuperviseAsync($"chaos-gateway-{(char)('a' + index)}", "Gateway", hostsWebhooks: false);
        Volatile.Write(ref _gateways[index], gateway);
    }

    /// <summary>Every process's log lines at Warning and Error, the Error ones by category, and any codec Orleans lacked.</summary>
    public LogCounts CountLogLines()
    {
        var lines = _silos.Concat(_gateways).Where(p => p is not null).Concat(_retired).SelectMany(p => p!.Output.Split('\n')).ToArray();
        var errors = lines.Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)).ToArray();
        var byCategory = errors.GroupBy(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split('[', '`')[0])
            .ToDictionary(g => g.Key, g => g.Count());
        return new LogCounts(errors.Length, lines.Count(l => l.Contains(" warn: ", StringComparison.Ordinal)), byCategory,
            lines.Count(l => l.Contains("CodecNotFoundException", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        // Every process's output, the killed ones' too, for reading what happened at each fault.
        var logs = Path.Combine(Path.GetTempPath(), $"herald-chaos-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(logs);
        var n = 0;
        foreach (var process in _retired.Concat(_silos.Concat(_gateways).Where(p => p is not null)))
        {
            await File.WriteAllTextAsync(Path.Combine(logs, $"{n++:00}-{process!.Name}.log"), process.Output);
            await process.DisposeAsync();
        }

        Console.Error.WriteLine($"herald-bench: chaos logs in {logs}");
        await _postgres.DisposeAsync();
    }
}
