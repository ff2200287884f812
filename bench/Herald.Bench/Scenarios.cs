using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Herald.Bench.Peers;

namespace Herald.Bench;

/// <summary>One scenario's figures: each a summary (median, min, max) over the repetitions, plus its target.</summary>
public sealed record ScenarioResult(
    string Scenario, string Mode, Dictionary<string, object> Parameters, Dictionary<string, Summary> Metrics, string? Target, bool? TargetMet, string? Note = null);

public sealed class Scenarios(BenchOptions options)
{
    internal static readonly TimeSpan DeliveryDeadline = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan IdleCpuWindow = TimeSpan.FromSeconds(2);
    // Message ids for the bare client's bursts, far above any id Herald's log hands out in a run.
    private const long BareIds = 1_000_000_000;

    // Issue 18's throughput target: 1,000 pushes/s, each to 10 endpoints, in cluster mode.
    private const int TargetRate = 1000;
    private readonly WarmUp _warmUp = new(options);

    internal static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    internal static double Milliseconds(long from, long to) => Seconds(from, to) * 1000;

    /// <summary>The physical limit: a bare HttpClient, in a process of its own, posting to the same receivers at the same concurrency.</summary>
    public async Task<ScenarioResult> LimitAsync(int n)
    {
        await using var receivers = await Receivers.StartAsync();
        await using var bare = await BarePeer.StartAsync();
        var next = BareIds;
        var warmUp = await _warmUp.RunAsync(() => bare.BurstAsync(receivers, n, next++), WarmUp.HarnessMethodsAsync);
        var rates = new List<double>();
        var durations = new List<double>();
        var cpuBefore = ProcessCpu.Seconds([bare.Pid]);
        for (var rep = 0; rep < options.BurstReps; rep++)
        {
            var seconds = await bare.BurstAsync(receivers, n, next++);
            durations.Add(seconds * 1000);
            rates.Add(n / seconds);
        }

        var cpuPerDelivery = (ProcessCpu.Seconds([bare.Pid]) - cpuBefore) * 1e6 / (n * (double)options.BurstReps);
        return new ScenarioResult("limit", "bare-httpclient", new() { ["n"] = n, ["warm_up"] = warmUp }, new()
        {
            ["duration_ms"] = Stats.Summarize(durations),
            ["deliveries_per_s"] = Stats.Summarize(rates),
            ["cpu_us_per_delivery"] = Stats.Summarize([cpuPerDelivery]),
        }, null, null, "A bare HttpClient loop, in its own process, posting the same body to the same receivers, all at once. CPU is that process's, from /proc.");
    }

    public async Task<ScenarioResult> FanoutAsync(string mode, int n)
    {
        await using var herald = await HeraldUnderTest.StartAsync(mode);
        await using var receivers = await Receivers.StartAsync();
        await herald.RegisterAsync(Enumerable.Range(0, n).Select(receivers.Url));
        var heraldCpu = 0.0;
        var heraldBurstCpu = 0.0;

        // "One push": each burst starts once the previous one's deferred writes are committed, as the bare limit's
        // bursts leave nothing behind. Herald is charged its CPU from the push until those writes are done.
        // Sustained load is the throughput scenario.
        async Task<(double Seconds, double FirstMs)> BurstAsync()
        {
            await herald.WaitForQuietAsync();
            var cpuBefore = ProcessCpu.Seconds(herald.Pids);
            var start = Stopwatch.GetTimestamp();
            var id = await herald.PushAsync($"fanout {n}", options.FanoutWait);
            var arrivals = receivers.For(id);
            if (!await arrivals.WaitForAsync(n, DeliveryDeadline))
                throw new TimeoutException($"fanout {n} ({mode}): {arrivals.Count} of {n} arrived.\n{herald.LogTail()}");
            heraldBurstCpu += ProcessCpu.Seconds(herald.Pids) - cpuBefore;
            await herald.WaitForQuietAsync();
            heraldCpu += ProcessCpu.Seconds(herald.Pids) - cpuBefore;
            return (Seconds(start, arrivals.Times.Max()), Milliseconds(start, arrivals.Times.Min()));
        }

        // The limit is measured again here, burst for burst beside Herald's, against the same receivers: on a shared
        // machine the bare client's own figure drifts by a third between minutes, so a ratio to a limit measured
        // earlier mostly measured the drift.
        await using var bare = await BarePeer.StartAsync();
        var bareId = BareIds;
        var bareCpu = 0.0;
        async Task<double> BareBurstAsync()
        {
            // Not on Herald's aftermath either.
            await herald.WaitForQuietAsync();
            var cpuBefore = ProcessCpu.Seconds([bare.Pid]);
            var seconds = await bare.BurstAsync(receivers, n, bareId++);
            bareCpu += ProcessCpu.Seconds([bare.Pid]) - cpuBefore;
            return seconds;
        }

        var warmUp = await _warmUp.RunAsync(async () =>
        {
            await BareBurstAsync();
            await BurstAsync();
        }, herald.CompiledMethodsAsync);
        await herald.WaitForQuietAsync();
        var idleCpu = await herald.IdleCpuMillisecondsPerSecondAsync(IdleCpuWindow);
        var totalsBefore = await herald.WorkTotalsAsync();
        heraldCpu = 0;
        heraldBurstCpu = 0;
        bareCpu = 0;
        var rates = new List<double>();
        var limitRates = new List<double>();
        var ratios = new List<double>();
        var durations = new List<double>();
        var firsts = new List<double>();
        for (var rep = 0; rep < options.BurstReps; rep++)
        {
            // Alternating which goes first, so neither always runs on the other's leftovers.
            double limitSeconds;
            (double Seconds, double FirstMs) burst;
            if (rep % 2 == 0)
            {
                limitSeconds = await BareBurstAsync();
                burst = await BurstAsync();
            }
            else
            {
                burst = await BurstAsync();
                limitSeconds = await BareBurstAsync();
            }

            durations.Add(burst.Seconds * 1000);
            firsts.Add(burst.FirstMs);
            rates.Add(n / burst.Seconds);
            limitRates.Add(n / limitSeconds);
            ratios.Add(limitSeconds / burst.Seconds);
        }

        var totalsAfter = await herald.WorkTotalsAsync();
        var deliveries = n * (double)options.BurstReps;
        var heraldCpuPerDelivery = heraldCpu * 1e6 / deliveries;
        var bareCpuPerDelivery = bareCpu * 1e6 / deliveries;
        var cpuRatio = heraldCpuPerDelivery / bareCpuPerDelivery;
        var ratio = Stats.Summarize(ratios);
        var required = HeraldUnderTest.IsCluster(mode) ? 0.7 : 0.9;
        var targeted = n >= 1000;
        var metrics = new Dictionary<string, Summary>
        {
            ["duration_ms"] = Stats.Summarize(durations),
            ["first_delivery_ms"] = Stats.Summarize(firsts),
            ["deliveries_per_s"] = Stats.Summarize(rates),
            ["paired_limit_deliveries_per_s"] = Stats.Summarize(limitRates),
            ["ratio_to_limit"] = ratio,
            ["cpu_us_per_delivery"] = Stats.Summarize([heraldCpuPerDelivery]),
            ["burst_cpu_us_per_delivery"] = Stats.Summarize([heraldBurstCpu * 1e6 / deliveries]),
            ["paired_limit_cpu_us_per_delivery"] = Stats.Summarize([bareCpuPerDelivery]),
            ["jit_us_per_delivery"] = Stats.Summarize([(totalsAfter.JitMs - totalsBefore.JitMs) * 1000 / deliveries]),
            ["idle_cpu_ms_per_s"] = Stats.Summarize([idleCpu]),
        };

        // In cluster mode the gateway makes no deliveries, so what it allocates says nothing about them.
        if (!HeraldUnderTest.IsCluster(mode))
            metrics["gateway_allocated_bytes_per_delivery"] = Stats.Summarize([(totalsAfter.Allocated - totalsBefore.Allocated) / deliveries]);

        // Bursts too short for the kernel's CPU clock (10 ms ticks) read 0 and give no ratio.
        if (bareCpu > 0)
            metrics["cpu_ratio_to_limit"] = Stats.Summarize([cpuRatio]);
        return new ScenarioResult("fanout", mode, new() { ["n"] = n, ["wait"] = options.FanoutWait, ["warm_up"] = warmUp }, metrics, targeted ? $">= {required} x the limit, CPU per delivery <= 1.5 x the limit's" : null, targeted ? ratio.Median >= required && bareCpu > 0 && cpuRatio <= 1.5 : null,
            "ratio_to_limit is the median over repetitions of the bare client's time over Herald's, each pair measured back to back on the same receivers. " +
            "CPU per delivery is from /proc over all repetitions: Herald's processes from the push until its storage writes are done " +
            "(burst_cpu_us_per_delivery: until the last delivery arrived; jit_us_per_delivery: the part the gateway's JIT spent on tiering up " +
            "during the repetitions; gateway_allocated_bytes_per_delivery: what the hub's process allocated, left out in cluster mode, where the gateway makes no deliveries; idle_cpu_ms_per_s: what Herald spends a second with nothing to do, measured just before, which the wait for " +
            "storage to be quiet also pays)" +
            (HeraldUnderTest.IsCluster(mode) ? " (the gateway and both silos; PostgreSQL's own CPU is not counted)" : string.Empty) + ", the bare client's process for its bursts.");
    }

    /// <summary>
    /// Sustained open-loop load on one Herald, at each offered rate in turn (lowest first), so that a mode which cannot
    /// hold the target shows the highest rate it does hold.
    /// </summary>
    public async Task<IReadOnlyList<ScenarioResult>> ThroughputAsync(string mode, int endpoints, IReadOnlyList<int> rates, double seconds)
    {
        await using var herald = await HeraldUnderTest.StartAsync(mode);
        await using var receivers = await Receivers.StartAsync();
        await herald.RegisterAsync(Enumerable.Range(0, endpoints).Select(receivers.Url));

        // One pass of the open-loop load: pushes at the offered rate for the given time, then every delivery.
        async Task<ThroughputPass> LoadAsync(int rate, double loadSeconds)
        {
            var sent = new System.Collections.Concurrent.ConcurrentDictionary<long, long>();
            var total = (int)(rate * loadSeconds);
            var cpuBefore = ProcessCpu.Seconds(herald.Pids);
            var harnessBefore = ProcessCpu.Seconds([Environment.ProcessId]);
            var postgresBefore = herald.PostgresCpuSeconds();
            var start = Stopwatch.GetTimestamp();
            var inFlight = new List<Task>(total);
            using var concurrency = new SemaphoreSlim(256);
            for (var i = 0; i < total; i++)
            {
                var due = start + (long)(i * Stopwatch.Frequency / (double)rate);
                while (Stopwatch.GetTimestamp() < due)
                    await Task.Delay(TimeSpan.FromTicks(Math.Max(1, (due - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
                await concurrency.WaitAsync();
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        var at = Stopwatch.GetTimestamp();
                        sent[await herald.PushAsync("throughput")] = at;
                    }
                    finally
                    {
                        concurrency.Release();
                    }
                }));
            }

            await Task.WhenAll(inFlight);
            var sendSeconds = Seconds(start, Stopwatch.GetTimestamp());
            foreach (var id in sent.Keys)
                await receivers.For(id).WaitForAsync(endpoints, DeliveryDeadline);
            await herald.WaitForQuietAsync();
            var cpu = ProcessCpu.Seconds(herald.Pids) - cpuBefore;
            var wall = Seconds(start, Stopwatch.GetTimestamp());
            var latencies = sent.SelectMany(s => receivers.For(s.Key).Times.Select(t => Milliseconds(s.Value, t))).Order().ToArray();
            var last = sent.Keys.SelectMany(id => receivers.For(id).Times).Max();
            return new(sent.Count / sendSeconds, latencies.Length / Seconds(start, last), latencies, cpu * 1e6 / latencies.Length,
                cpu / wall, (ProcessCpu.Seconds([Environment.ProcessId]) - harnessBefore) / wall, (herald.PostgresCpuSeconds() - postgresBefore) / wall);
        }

        // Warm-up steps of one second of the lowest load.
        var warmUp = await _warmUp.RunAsync(() => LoadAsync(rates.Min(), 1), herald.CompiledMethodsAsync);
        var results = new List<ScenarioResult>();
        foreach (var rate in rates.Order())
        {
            var pushed = new List<double>();
            var delivered = new List<double>();
            var p50 = new List<double>();
            var p95 = new List<double>();
            var p99 = new List<double>();
            var cpu = new List<double>();
            var heraldCores = new List<double>();
            var harnessCores = new List<double>();
            var postgresCores = new List<double>();
            for (var rep = 0; rep < options.Reps; rep++)
            {
                var pass = await LoadAsync(rate, seconds);
                pushed.Add(pass.Pushed);
                delivered.Add(pass.Delivered);
                p50.Add(Stats.Percentile(pass.Latencies, 50));
                p95.Add(Stats.Percentile(pass.Latencies, 95));
                p99.Add(Stats.Percentile(pass.Latencies, 99));
                cpu.Add(pass.CpuPerDelivery);
                heraldCores.Add(pass.HeraldCores);
                harnessCores.Add(pass.HarnessCores);
                if (pass.PostgresCores is { } postgres)
                    postgresCores.Add(postgres);
            }

            var pushSummary = Stats.Summarize(pushed);
            var tail = Stats.Summarize(p99);
            var keptUp = KeptUp(pushSummary.Median, rate, Stats.Summarize(delivered).Median, endpoints) && tail.Median < 100;
            var targeted = HeraldUnderTest.IsCluster(mode) && rate >= TargetRate;
            var metrics = new Dictionary<string, Summary>
            {
                ["pushes_per_s"] = pushSummary,
                ["delivered_per_s"] = Stats.Summarize(delivered),
                ["p50_ms"] = Stats.Summarize(p50),
                ["p95_ms"] = Stats.Summarize(p95),
                ["p99_ms"] = tail,
                // The bare client's capacity (the limit scenario) is far above the offered load, so the limit here is
                // the offered load itself: a ratio of 1 means every offered delivery was made in time.
                ["delivered_ratio_to_offered"] = Stats.Summarize(delivered.Select(d => d / (rate * (double)endpoints))),
                ["cpu_us_per_delivery"] = Stats.Summarize(cpu),
                ["kept_up"] = Stats.Summarize([(keptUp ? 1.0 : 0.0)]),
                ["herald_cores"] = Stats.Summarize(heraldCores),
                ["harness_cores"] = Stats.Summarize(harnessCores),
            };
            if (postgresCores.Count > 0)
                metrics["postgres_cores"] = Stats.Summarize(postgresCores);
            results.Add(new ScenarioResult("throughput", mode, new() { ["endpoints"] = endpoints, ["offered_rate"] = rate, ["seconds"] = seconds, ["warm_up"] = warmUp }, metrics, targeted ? $"keeps up with {TargetRate} pushes/s offered, p99 < 100 ms" : null, targeted ? keptUp : (bool?)null,
                "kept_up is 1 when pushes were accepted at 99.5 % of the offered rate or more, 99.9 % of the deliveries were made, and p99 < 100 ms. " +
                "CPU per delivery is Herald's processes' CPU (from /proc) over a repetition, until its storage writes are done, divided by the deliveries" +
                (HeraldUnderTest.IsCluster(mode) ? " (the gateway and both silos; PostgreSQL's own CPU is not counted)" : string.Empty) +
                $". The cores figures are CPU seconds over a repetition's wall time, of {Environment.ProcessorCount}: Herald's processes, the harness's own " +
                "process (the load and the receivers) and, on PostgreSQL, the database server with all its backends."));
        }

        return results;
    }

    /// <summary>One repetition of the throughput load: rates, sorted latencies, Herald's CPU per delivery, and who used the cores.</summary>
    private sealed record ThroughputPass(double Pushed, double Delivered, double[] Latencies, double CpuPerDelivery, double HeraldCores, double HarnessCores, double? PostgresCores);

    /// <summary>
    /// The load is open-loop at the offered rate, so the measured push rate cannot exceed it, and the harness's own
    /// timer makes it land a hair under (the last push's round trip ends the measured span).
    /// </summary>
    private static bool KeptUp(double pushesPerSecond, int offered, double deliveredPerSecond, int endpoints) =>
        pushesPerSecond >= offered * 0.995 && deliveredPerSecond >= offered * endpoints * 0.999;

    /// <summary>
    /// SSE servers side by side: the raw writer, Nchan and Herald each hold <paramref name="k"/> listeners, and in every
    /// round each in turn publishes the same messages, one at a time, charged its own processes' CPU. Interleaving
    /// the rounds pairs the figures in time, as the fan-out pairs Herald with the bare client: this machine's speed
    /// drifts by a fifth between minutes.
    /// </summary>
    public async Task<IReadOnlyList<ScenarioResult>> SseAsync(IReadOnlyList<ISseServer> servers, int k)
    {
        var runs = new List<SseRun>();
        try
        {
            foreach (var server in servers)
                runs.Add(await SseRun.ConnectAsync(server, k));
            var warmUp = await _warmUp.RunAsync(async () =>
            {
                foreach (var run in runs)
                    await run.MessagesAsync(10);
            }, async () => (await Task.WhenAll(servers.OfType<HeraldSseServer>().Select(h => h.Herald.CompiledMethodsAsync()))).Sum() + await WarmUp.HarnessMethodsAsync());
            for (var rep = 0; rep < options.SseReps; rep++)
            {
                // Rotating who goes first, so nobody always runs on another's leftovers.
                for (var i = 0; i < runs.Count; i++)
                    await runs[(rep + i) % runs.Count].MeasureAsync(options.SseMessages);
            }

            var peers = runs.Where(r => r.Server is not HeraldSseServer).ToDictionary(r => r.Server.Name);
            return runs.Select(run => run.Result(k, options.SseMessages, warmUp, peers)).ToArray();
        }
        finally
        {
            foreach (var run in runs)
                await run.DisposeAsync();
        }
    }

    /// <summary>What a fresh process costs before any work: the time until it is ready, and its memory then.</summary>
    public async Task<ScenarioResult> StartupAsync(string mode)
    {
        var ready = new List<double>();
        var workingSet = new List<double>();
        var gcLive = new List<double>();
        for (var rep = 0; rep < options.Reps; rep++)
        {
            await using var herald = await HeraldUnderTest.StartAsync(mode);
            var memory = await herald.MemoryAsync();
            ready.Add(herald.StartupTime.TotalMilliseconds);
            workingSet.Add(memory.WorkingSet / 1048576.0);
            gcLive.Add(memory.GcLive / 1048576.0);
        }

        return new ScenarioResult("startup", mode, new() { ["reps"] = options.Reps }, new()
        {
            ["ready_ms"] = Stats.Summarize(ready),
            ["rss_mb"] = Stats.Summarize(workingSet),
            ["gc_live_mb"] = Stats.Summarize(gcLive),
        }, null, null,
            "A built gateway started as a process (dotnet Herald.Gateway.dll) until /readyz answers 200, then its working set and live heap after a full collection. " +
            "In cluster mode the PostgreSQL server is already running and each start migrates a fresh, empty database.");
    }

    public async Task<ScenarioResult> IdleAsync(string mode, int endpoints, int connections)
    {
        await using var herald = await HeraldUnderTest.StartAsync(mode);
        var perEndpoint = new List<double>();
        var perEndpointHeap = new List<double>();
        for (var rep = 0; rep < options.Reps; rep++)
        {
            var before = await herald.MemoryAsync();
            await herald.RegisterAsync(Enumerable.Range(0, endpoints).Select(i => $"http://127.0.0.1:9/idle/{rep}/{i}"));
            var after = await herald.MemoryAsync();
            perEndpoint.Add((after.WorkingSet - before.WorkingSet) / (double)endpoints);
            perEndpointHeap.Add((after.GcLive - before.GcLive) / (double)endpoints);
        }

        var beforeListeners = await herald.MemoryAsync();
        await using var listeners = await SseListeners.ConnectAsync(herald.Process.BaseAddress, "/stream", connections);
        while (listeners.Connected < connections)
            await Task.Delay(10);
        var afterListeners = await herald.MemoryAsync();
        var heap = Stats.Summarize(perEndpointHeap);
        return new ScenarioResult("idle", mode, new() { ["endpoints"] = endpoints * options.Reps, ["connections"] = connections }, new()
        {
            ["gc_bytes_per_idle_endpoint"] = heap,
            ["rss_bytes_per_idle_endpoint"] = Stats.Summarize(perEndpoint),
            ["rss_bytes_per_idle_connection"] = Stats.Summarize([(afterListeners.WorkingSet - beforeListeners.WorkingSet) / (double)connections]),
            ["gc_bytes_per_idle_connection"] = Stats.Summarize([(afterListeners.GcLive - beforeListeners.GcLive) / (double)connections]),
            ["rss_total_mb"] = Stats.Summarize([afterListeners.WorkingSet / 1048576.0]),
            ["active_grains"] = Stats.Summarize([afterListeners.ActiveGrains]),
        }, "< 1 KiB per idle registered endpoint (live heap), no grain kept active", heap.Median < 1024 && afterListeners.ActiveGrains == 0,
            "Memory has no bare-limit counterpart; the per-connection figures compare with the sse scenario's.");
    }
}
