using System.Diagnostics;
using Herald.Bench.Peers;

namespace Herald.Bench;

/// <summary>One server's part of the SSE comparison: its listeners, and the figures of its measured rounds.</summary>
public sealed class SseRun : IAsyncDisposable
{
    private readonly SseListeners _listeners;
    private readonly int _k;
    private readonly List<double> _cpu = [];
    private readonly List<double> _rates = [];
    private readonly List<double> _p50 = [];
    private readonly List<double> _p99 = [];
    private readonly List<double> _max = [];
    private readonly List<double> _allocated = [];
    private long _token;

    private SseRun(ISseServer server, SseListeners listeners, int k)
    {
        Server = server;
        _listeners = listeners;
        _k = k;
    }

    public ISseServer Server { get; }

    private double RssPerConnection { get; set; }

    private (long WorkingSet, long GcLive) HeraldPerConnection { get; set; }

    /// <summary>Connects the listeners and waits until a message reaches every one of them.</summary>
    public static async Task<SseRun> ConnectAsync(ISseServer server, int k)
    {
        var rssBefore = ProcessCpu.ResidentBytes(server.Pids);
        var heraldBefore = server is HeraldSseServer h ? await h.Herald.MemoryAsync() : default;
        var listeners = await SseListeners.ConnectAsync(server.BaseAddress, server.SubscribePath, k);
        var run = new SseRun(server, listeners, k);
        var deadline = Stopwatch.GetTimestamp() + (120 * Stopwatch.Frequency);
        while (listeners.Connected < k)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"{server.Name}: {listeners.Connected} of {k} SSE listeners connected.");
            await Task.Delay(10);
        }

        // Headers can come before the server has subscribed the listener (Nchan's workers do), and a listener
        // subscribed late misses a message for good: so messages go out until one of them reaches everybody.
        while (true)
        {
            var probe = ++run._token;
            await server.PublishAsync(probe);
            var probeDeadline = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
            while (listeners.CountOf(probe) < k && Stopwatch.GetTimestamp() < probeDeadline)
                await Task.Delay(5);
            if (listeners.CountOf(probe) == k)
                break;
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"{server.Name}: no message reached all {k} SSE listeners (the last reached {listeners.CountOf(probe)}).");
        }

        run.RssPerConnection = (ProcessCpu.ResidentBytes(server.Pids) - rssBefore) / (double)k;
        if (server is HeraldSseServer herald)
        {
            var after = await herald.Herald.MemoryAsync();
            run.HeraldPerConnection = ((after.WorkingSet - heraldBefore.WorkingSet) / k, (after.GcLive - heraldBefore.GcLive) / k);
        }

        return run;
    }

    /// <summary>Messages one at a time, each published once the previous one reached every listener; the latencies, sorted.</summary>
    public async Task<double[]> MessagesAsync(int count)
    {
        var latencies = new List<double>(count * _k);
        for (var m = 0; m < count; m++)
        {
            var token = ++_token;
            var at = Stopwatch.GetTimestamp();
            await Server.PublishAsync(token);
            await _listeners.WaitForAsync(token, _k, Scenarios.DeliveryDeadline);
            latencies.AddRange(_listeners.ArrivalsOf(token).Select(t => Scenarios.Milliseconds(at, t)));
        }

        latencies.Sort();
        return latencies.ToArray();
    }

    /// <summary>One measured round: the messages, with the server's CPU over them.</summary>
    public async Task MeasureAsync(int messages)
    {
        var herald = (Server as HeraldSseServer)?.Herald;
        var allocatedBefore = herald is null ? 0 : (await herald.WorkTotalsAsync()).Allocated;
        var cpuBefore = ProcessCpu.Seconds(Server.Pids);
        var started = Stopwatch.GetTimestamp();
        var latencies = await MessagesAsync(messages);
        var seconds = Scenarios.Seconds(started, Stopwatch.GetTimestamp());
        var frames = messages * (double)_k;
        if (herald is not null)
            _allocated.Add(((await herald.WorkTotalsAsync()).Allocated - allocatedBefore) / frames);
        _cpu.Add((ProcessCpu.Seconds(Server.Pids) - cpuBefore) * 1e6 / frames);
        _rates.Add(frames / seconds);
        _p50.Add(Stats.Percentile(latencies, 50));
        _p99.Add(Stats.Percentile(latencies, 99));
        _max.Add(latencies[^1]);
    }

    public ScenarioResult Result(int k, int messages, WarmUpReport warmUp, IReadOnlyDictionary<string, SseRun> peers)
    {
        var metrics = new Dictionary<string, Summary>
        {
            ["cpu_us_per_frame"] = Stats.Summarize(_cpu),
            ["frames_per_s"] = Stats.Summarize(_rates),
            ["p50_ms"] = Stats.Summarize(_p50),
            ["p99_ms"] = Stats.Summarize(_p99),
            ["max_ms"] = Stats.Summarize(_max),
            ["rss_bytes_per_idle_connection"] = Stats.Summarize([RssPerConnection]),
        };
        string? target = null;
        bool? met = null;
        var mode = Server.Name;
        if (Server is HeraldSseServer herald)
        {
            mode = herald.Herald.Mode;

            // Herald's own figure, after a full collection, is the one the memory target reads.
            metrics["bytes_per_idle_connection"] = Stats.Summarize([HeraldPerConnection.WorkingSet]);
            metrics["gc_bytes_per_idle_connection"] = Stats.Summarize([HeraldPerConnection.GcLive]);
            metrics["allocated_bytes_per_frame"] = Stats.Summarize(_allocated);
            foreach (var (name, peer) in peers)
            {
                // Ratios round by round: each pair ran within the same few seconds.
                // A round too short for the kernel's CPU clock (10 ms ticks) reads 0 and gives no ratio.
                var key = name == "raw-kestrel" ? "raw" : name;
                var cpuRatios = _cpu.Zip(peer._cpu).Where(pair => pair.Second > 0).Select(pair => pair.First / pair.Second).ToArray();
                if (cpuRatios.Length > 0)
                    metrics[$"cpu_ratio_to_{key}"] = Stats.Summarize(cpuRatios);
                metrics[$"p99_ratio_to_{key}"] = Stats.Summarize(_p99.Zip(peer._p99, (mine, theirs) => mine / theirs));
            }

            if (peers.ContainsKey("nchan") && metrics.TryGetValue("cpu_ratio_to_nchan", out var cpuToNchan))
            {
                target = "CPU per frame <= 1.0 x Nchan's, p99 <= Nchan's, < 12 KiB per idle connection";
                met = cpuToNchan.Median <= 1.0 && metrics["p99_ratio_to_nchan"].Median <= 1.0 && HeraldPerConnection.WorkingSet < 12 * 1024;
            }
        }

        return new ScenarioResult("sse", mode, new() { ["k"] = k, ["messages"] = messages, ["rounds"] = _cpu.Count, ["warm_up"] = warmUp }, metrics, target, met,
            "Each round, every server in turn publishes the same number of messages, one at a time, each once the previous one reached every listener. " +
            "Latency runs from the publish request to each listener's arrival. CPU per frame is the server's processes' CPU (from /proc) over a round " +
            "divided by the frames delivered; ratios are taken round by round. rss_bytes_per_idle_connection is the resident-set growth per listener as " +
            "/proc reads it; Herald's bytes_per_idle_connection is its working set after a full collection, and allocated_bytes_per_frame what it " +
            "allocated over a round (the publish requests included) per frame delivered.");
    }

    public async ValueTask DisposeAsync() => await _listeners.DisposeAsync();
}
