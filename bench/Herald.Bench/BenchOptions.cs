using System.Globalization;
using Herald.Testing;

namespace Herald.Bench;

/// <summary>Every parameter of the harness, from the command line; <c>--quick</c> makes every scenario small.</summary>
public sealed class BenchOptions
{
    public bool Quick { get; private set; }

    public string[] Scenarios { get; private set; } = ["limit", "fanout", "throughput", "sse", "startup", "idle"];

    /// <summary>
    /// embedded (the default data file), memory (embedded with <c>--in-memory</c>), cluster (two silos and a gateway
    /// on PostgreSQL, over mutual TLS) and, when asked for, postgres (one gateway on PostgreSQL) and cluster+plaintext
    /// (the cluster without TLS).
    /// </summary>
    public string[] Modes { get; private set; } = ["embedded", "memory", "cluster"];

    // embedded+traced records traces (with no collector, so they are made and dropped); embedded+no-telemetry turns
    // /metrics off too: beside plain embedded they show what telemetry costs, on and off.
    private static readonly string[] KnownModes = ["embedded", "memory", "cluster", "cluster+plaintext", "postgres", "embedded+traced", "embedded+no-telemetry"];

    public int[] FanoutSizes { get; private set; } = [100, 1000, 5000];

    public int[] SseSizes { get; private set; } = [1000, 5000];

    /// <summary>The SSE servers measured beside Herald: raw (the raw Kestrel writer) and nchan; <c>none</c> for neither.</summary>
    public string[] SsePeers { get; private set; } = ["raw", "nchan"];

    /// <summary>Messages per server in each SSE round.</summary>
    public int SseMessages { get; private set; } = 25;

    /// <summary>Interleaved SSE rounds: each server in turn, every round.</summary>
    public int SseReps { get; private set; } = 6;

    /// <summary>
    /// The Herald modes in the SSE comparison (the listeners of every server stay connected through the run, and the
    /// harness's file limit caps them). Its SSE path is the same in every mode.
    /// </summary>
    public string[] SseModes { get; private set; } = ["embedded"];

    /// <summary>Offered push rates, each measured in turn, so a mode that cannot hold the target shows where its ceiling is.</summary>
    public int[] ThroughputRates { get; private set; } = [250, 500, 1000];

    public double ThroughputSeconds { get; private set; } = 10;

    public int ThroughputEndpoints { get; private set; } = 10;

    public int IdleEndpoints { get; private set; } = 10_000;

    public int IdleConnections { get; private set; } = 5000;

    public int Reps { get; private set; } = 3;

    /// <summary>The chaos scenario (only when asked for with --scenarios chaos): seconds of load, pushes per second, a fault every so many seconds.</summary>
    public double ChaosSeconds { get; private set; } = 300;

    public int ChaosRate { get; private set; } = 50;

    public double ChaosFaultEvery { get; private set; } = 30;

    public string[] ChaosFaults { get; private set; } = Chaos.ChaosPlan.KnownFaults;

    /// <summary>Whether the same run without faults is measured beside the one with them.</summary>
    public bool ChaosBaseline { get; private set; } = true;

    /// <summary>The grain directory the chaos cluster runs on: distributed or classic (Herald:Cluster:GrainDirectory).</summary>
    public string ChaosGrainDirectory { get; private set; } = "classic";

    /// <summary>
    /// Repetitions of the one-burst scenarios (the HTTP limit and fan-out), which take under a second each: on a
    /// noisy 2-core machine a median of 3 bursts moves by half from one run to the next, one of 30 far less.
    /// </summary>
    public int BurstReps { get; private set; } = 30;

    /// <summary>Fan-out pushes with <c>"wait": true</c> (the API's default: the push answers once each endpoint's first attempt is made).</summary>
    public bool FanoutWait { get; private set; }

    /// <summary>Unmeasured steps first, at least this many (the JIT's tiering needs a few dozen calls of a path).</summary>
    public int Warmups { get; private set; } = 5;

    /// <summary>The warm-up goes on until the JIT settles (see <see cref="WarmUp"/>), for at most this long.</summary>
    public double WarmupMaxSeconds { get; private set; } = 60;

    /// <summary>Settled: the processes together compiled no more than this many methods in the last second.</summary>
    public int SettledJitMethods { get; private set; } = 10;

    /// <summary>Default: bench/results/latest.json in the repository, wherever the harness is started from.</summary>
    public string Output { get; private set; } = Path.Combine(RepositoryLayout.Root, "bench", "results", "latest.json");

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options.Quick = true;
            options.FanoutSizes = [100];
            options.SseSizes = [100];
            options.SseMessages = 5;
            options.SseReps = 2;
            options.ThroughputRates = [100];
            options.ThroughputSeconds = 2;
            options.IdleEndpoints = 300;
            options.IdleConnections = 100;
            options.Warmups = 1;
            options.WarmupMaxSeconds = 3;
            options.BurstReps = 3;
            options.Reps = 1;
            options.ChaosSeconds = 36;
            options.ChaosRate = 20;
            options.ChaosFaultEvery = 8;
        }

        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int[] Ints() => Next().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            switch (args[i])
            {
                case "--quick": break;
                case "--scenarios": options.Scenarios = Next().Split(','); break;
                case "--modes":
                    options.Modes = Next() is "none" ? [] : args[i].Split(',');
                    if (options.Modes.FirstOrDefault(m => !KnownModes.Contains(m)) is { } unknown)
                        throw new ArgumentException($"unknown mode {unknown}; the modes are {string.Join(", ", KnownModes)}");
                    break;
                case "--fanout-sizes": options.FanoutSizes = Ints(); break;
                case "--sse-sizes": options.SseSizes = Ints(); break;
                case "--sse-reps": options.SseReps = Math.Max(1, Ints()[0]); break;
                case "--sse-modes":
                    options.SseModes = Next() is "none" ? [] : args[i].Split(',');
                    if (options.SseModes.FirstOrDefault(m => !KnownModes.Contains(m)) is { } unknownSse)
                        throw new ArgumentException($"unknown mode {unknownSse}; the modes are {string.Join(", ", KnownModes)}");
                    break;
                case "--sse-peers":
                    options.SsePeers = Next() is "none" ? [] : args[i].Split(',');
                    if (options.SsePeers.FirstOrDefault(p => p is not ("raw" or "nchan")) is { } unknownPeer)
                        throw new ArgumentException($"unknown SSE peer {unknownPeer}; the peers are raw and nchan, or none");
                    break;
                case "--sse-messages": options.SseMessages = Ints()[0]; break;
                case "--throughput-rates": options.ThroughputRates = Ints(); break;
                case "--throughput-seconds": options.ThroughputSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--throughput-endpoints": options.ThroughputEndpoints = Ints()[0]; break;
                case "--idle-endpoints": options.IdleEndpoints = Ints()[0]; break;
                case "--idle-connections": options.IdleConnections = Ints()[0]; break;
                case "--reps": options.Reps = Math.Max(1, Ints()[0]); break;
                case "--burst-reps": options.BurstReps = Math.Max(1, Ints()[0]); break;
                case "--fanout-wait": options.FanoutWait = bool.Parse(Next()); break;
                case "--warmups": options.Warmups = Math.Max(0, Ints()[0]); break;
                case "--warmup-max-seconds": options.WarmupMaxSeconds = Math.Max(0, double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--settled-jit-methods": options.SettledJitMethods = Math.Max(0, Ints()[0]); break;
                case "--output": options.Output = Next(); break;
                case "--chaos-seconds": options.ChaosSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--chaos-rate": options.ChaosRate = Math.Max(1, Ints()[0]); break;
                case "--chaos-fault-every": options.ChaosFaultEvery = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--chaos-baseline": options.ChaosBaseline = bool.Parse(Next()); break;
                case "--chaos-grain-directory":
                    options.ChaosGrainDirectory = Next();
                    if (options.ChaosGrainDirectory is not ("distributed" or "classic"))
                        throw new ArgumentException($"unknown grain directory {options.ChaosGrainDirectory}; the directories are distributed and classic");
                    break;
                case "--chaos-faults":
                    options.ChaosFaults = Next() is "none" ? [] : args[i].Split(',');
                    if (options.ChaosFaults.FirstOrDefault(f => !Chaos.ChaosPlan.KnownFaults.Contains(f)) is { } unknownFault)
                        throw new ArgumentException($"unknown fault {unknownFault}; the faults are {string.Join(", ", Chaos.ChaosPlan.KnownFaults)}, or none");
                    break;
                default: throw new ArgumentException($"unknown option {args[i]}; the options are listed in the README's Performance section");
            }
        }

        return options;
    }
}
