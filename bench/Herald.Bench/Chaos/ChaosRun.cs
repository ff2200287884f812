using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Bench.Chaos;

/// <summary>One push as the client saw it. Status 0: no answer (the gateway died with the request open).</summary>
internal sealed record CommitRecord(int Index, double At, double Seconds, int Status, long? Id, string Key, string Message);

/// <summary>One request a receiver answered 2xx: which message, under which webhook-id, when.</summary>
internal sealed record Arrival(int Receiver, long Id, string WebhookId, double At);

/// <summary>
/// A chaos run: steady pushes through both gateways, webhook receivers (two failing at first, one slow), SSE listeners
/// that reconnect, and a fault every so often in rotation; then everything is settled and checked against the log.
/// </summary>
internal sealed class ChaosRun(ChaosPlan plan)
{
    private static readonly TimeSpan SettleDeadline = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan AfterFault = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<CommitRecord> _pushes = new();
    private readonly ConcurrentQueue<Arrival> _arrivals = new();
    private readonly List<FaultRecord> _faults = [];
    private readonly double[] _longestIdle = new double[plan.Receivers];
    private readonly Stopwatch _clock = new();

    public async Task<ScenarioResult> RunAsync()
    {
        await using var cluster = await ChaosCluster.StartAsync(plan.GrainDirectory);
        await using var receiver = await WebhookReceiver.StartAsync();
        for (var r = 0; r < plan.Receivers; r++)
            Behave(receiver, r);
        var setup = cluster.AnyGateway(0)!;
        for (var r = 0; r < plan.Receivers; r++)
            (await setup.Client.PostAsJsonAsync("/api/register", new { webhook_url = receiver.Url($"r{r}") })).EnsureSuccessStatusCode();

        using var stopListening = new CancellationTokenSource();
        var listeners = Enumerable.Range(0, plan.Listeners).Select(i => new ChaosListener(cluster, i % ChaosCluster.GatewayCount)).ToArray();
        var listening = listeners.Select(l => Task.Run(() => l.RunAsync(stopListening.Token))).ToArray();

        var cpuBefore = MachineCpu.Read();
        _clock.Start();
        using var stopSampling = new CancellationTokenSource();
        var sampling = SampleIdleAsync(stopSampling.Token);
        var faults = plan.WithFaults ? InjectFaultsAsync(cluster) : Task.CompletedTask;
        await PushAsync(cluster);
        await faults;
        var loadSeconds = _clock.Elapsed.TotalSeconds;
        var cpu = MachineCpu.Read().BusySince(cpuBefore);

        // Pushes whose answer never came may or may not be in the log: asked again under their key, the log says.
        var accepted = _pushes.Where(p => p.Id is not null).ToDictionary(p => p.Id!.Value, p => p);
        foreach (var unknown in _pushes.Where(p => p.Status == 0))
        {
            if (await RepushAsync(cluster, unknown) is { Id: var id, Duplicate: true })
                accepted[id] = unknown with { Id = id };
        }

        var settled = await SettleAsync(accepted.Keys.ToHashSet());
        await stopSampling.CancelAsync();
        await sampling;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopListening.CancelAsync();
        await Task.WhenAll(listening);

        // A 503 said nothing was appended: asked again under its key, the log must not have it.
        var untruthful = 0;
        foreach (var refused in _pushes.Where(p => p.Status == 503))
        {
            if (await RepushAsync(cluster, refused) is { Duplicate: true })
                untruthful++;
        }

        var logs = cluster.CountLogLines();
        foreach (var (category, count) in logs.ErrorsByCategory.OrderByDescending(c => c.Value))
            Console.Error.WriteLine($"herald-bench: chaos logged {count} Error lines in {category}");
        return Report(accepted, listeners, settled, untruthful, cpu, loadSeconds, logs, cluster.FailedStarts, cluster.Exited);
    }

    private void Behave(WebhookReceiver receiver, int r) => receiver.Behave($"r{r}", async (request, _) =>
    {
        var at = _clock.Elapsed;
        if (r < 2 && at < ChaosPlan.FailingFor)
            return (503, null);
        if (r == 2)
            await Task.Delay(ChaosPlan.SlowBy);
        _arrivals.Enqueue(new Arrival(r, JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetInt64(), request.Header("webhook-id"), at.TotalSeconds));
        return (200, null);
    });

    private async Task PushAsync(ChaosCluster cluster)
    {
        var inFlight = new List<Task>();
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / plan.Rate));
        for (var i = 0; _clock.Elapsed.TotalSeconds < plan.Seconds && await pace.WaitForNextTickAsync(); i++)
        {
            var index = i;
            inFlight.Add(Task.Run(() => PushOneAsync(cluster, index)));
        }

        await Task.WhenAll(inFlight);
    }

    private async Task PushOneAsync(ChaosCluster cluster, int index)
    {
        var key = $"chaos-{index}";
        var message = $"chaos {index}";
        var at = _clock.Elapsed.TotalSeconds;
        var clock = Stopwatch.StartNew();
        var gateway = cluster.AnyGateway(index);
        if (gateway is null)
        {
            _pushes.Enqueue(new CommitRecord(index, at, 0, 0, null, key, message));
            return;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = JsonContent.Create(new { message, wait = false }) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await gateway.Client.SendAsync(request);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            long? id = response.IsSuccessStatusCode ? body.GetProperty("id").GetInt64() : null;
            _pushes.Enqueue(new CommitRecord(index, at, clock.Elapsed.TotalSeconds, (int)response.StatusCode, id, key, message));
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            _pushes.Enqueue(new CommitRecord(index, at, clock.Elapsed.TotalSeconds, 0, null, key, message));
        }
    }

    private async Task InjectFaultsAsync(ChaosCluster cluster)
    {
        for (var k = 0; ; k++)
        {
            var due = TimeSpan.FromSeconds(plan.FaultEverySeconds * (k + 1));
            if (due.TotalSeconds >= plan.Seconds)
                return;
            if (due > _clock.Elapsed)
                await Task.Delay(due - _clock.Elapsed);

            // A fault whose time passed while the last one healed (a slow restart) is skipped, not made up for later:
            // faults back to back, or after the load has ended, would measure nothing the schedule asked for.
            if (_clock.Elapsed.TotalSeconds >= plan.Seconds)
                return;
            if (_clock.Elapsed - due > TimeSpan.FromSeconds(plan.FaultEverySeconds))
                continue;
            var kind = plan.Faults[k % plan.Faults.Length];
            var record = await cluster.InjectAsync(kind, _clock.Elapsed.TotalSeconds);
            lock (_faults)
                _faults.Add(record);
            Console.Error.WriteLine($"herald-bench: chaos {record.Kind} {record.Target} at {record.At:0.0} s: stopped in {record.StopSeconds:0.0} s (exit {record.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}), ready again in {record.RestartToReadySeconds:0.0} s");
        }
    }

    /// <summary>Every second: how long each healthy receiver has gone without a delivery while messages older than 2 s wait for it.</summary>
    private async Task SampleIdleAsync(CancellationToken stop)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await tick.WaitForNextTickAsync(stop))
            {
                var now = _clock.Elapsed.TotalSeconds;
                var accepted = _pushes.Where(p => p.Id is not null && p.At < now - 2).Select(p => p.Id!.Value).ToArray();
                var arrivals = _arrivals.ToArray();
                for (var r = ChaosPlan.FirstHealthyReceiver; r < plan.Receivers; r++)
                {
                    var mine = arrivals.Where(a => a.Receiver == r).ToArray();
                    var delivered = mine.Select(a => a.Id).ToHashSet();
                    if (accepted.All(delivered.Contains))
                        continue;
                    var last = mine.Length == 0 ? 0 : mine.Max(a => a.At);
                    var oldestWaiting = _pushes.Where(p => p.Id is { } id && !delivered.Contains(id) && p.At < now - 2).Min(p => p.At);
                    _longestIdle[r] = Math.Max(_longestIdle[r], now - Math.Max(last, oldestWaiting));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits until every receiver has every accepted message; false if the deadline passed first.</summary>
    private async Task<bool> SettleAsync(HashSet<long> accepted)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < SettleDeadline)
        {
            var arrivals = _arrivals.ToArray();
            if (Enumerable.Range(0, plan.Receivers).All(r => arrivals.Where(a => a.Receiver == r).Select(a => a.Id).ToHashSet().IsSupersetOf(accepted)))
                return true;
            await Task.Delay(500);
        }

        return false;
    }

    private static async Task<(long Id, bool Duplicate)?> RepushAsync(ChaosCluster cluster, CommitRecord push)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (cluster.AnyGateway(attempt) is { } gateway)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = JsonContent.Create(new { message = push.Message, wait = false }) };
                    request.Headers.Add("Idempotency-Key", push.Key);
                    using var response = await gateway.Client.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                        return (body.GetProperty("id").GetInt64(), body.TryGetProperty("duplicate", out var duplicate) && duplicate.GetBoolean());
                    }
                }
                catch (HttpRequestException)
                {
                }
            }

            await Task.Delay(500);
        }

        return null;
    }

    /// <summary>Ids as ranges, at most eight of them: "5880-5883, 6630-6634".</summary>
    private static string Ranges(long[] sorted)
    {
        var ranges = new List<string>();
        for (var i = 0; i < sorted.Length && ranges.Count < 8;)
        {
            var j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
                j++;
            ranges.Add(i == j ? sorted[i].ToString(CultureInfo.InvariantCulture) : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }

        return string.Join(", ", ranges);
    }

    private ScenarioResult Report(
        Dictionary<long, CommitRecord> accepted, ChaosListener[] listeners, bool settled, int untruthful, double cpu, double loadSeconds, LogCounts logs, int failedStarts, int exited)
    {
        var arrivals = _arrivals.ToArray();
        var pushes = _pushes.OrderBy(p => p.At).ToArray();
        var faults = _faults.ToArray();
        var metrics = new Dictionary<string, Summary>();
        void Add(string name, double value) => metrics[name] = Stats.Summarize([value]);

        // Webhooks: lost, order, duplicates.
        var lost = 0;
        var inversions = 0;
        var duplicates = 0;
        var foreignIds = 0;
        var duplicatesAfter = new Dictionary<string, int>();
        for (var r = 0; r < plan.Receivers; r++)
        {
            var mine = arrivals.Where(a => a.Receiver == r).OrderBy(a => a.At).ToArray();
            var delivered = mine.Select(a => a.Id).ToHashSet();
            var missing = accepted.Keys.Where(id => !delivered.Contains(id)).Order().ToArray();
            lost += missing.Length;
            if (missing.Length > 0)
            {
                Console.Error.WriteLine($"herald-bench: chaos r{r} is missing {missing.Length} messages, {Ranges(missing)}; its last delivery came at " +
                                        $"{mine.Select(a => a.At).DefaultIfEmpty(double.NaN).Max():0.0} s");
            }

            var firsts = mine.DistinctBy(a => a.Id).Select(a => a.Id).ToArray();
            inversions += firsts.Zip(firsts.Skip(1)).Count(pair => pair.Second < pair.First);
            duplicates += mine.Length - firsts.Length;

            // Each redelivery is put down to the last fault before it: which kinds of fault cost redeliveries.
            var seen = new HashSet<long>();
            foreach (var group in mine.Where(a => !seen.Add(a.Id)).GroupBy(a => faults.LastOrDefault(f => f.At <= a.At)))
            {
                var cause = group.Key?.Kind ?? "no_fault";
                duplicatesAfter[cause] = duplicatesAfter.GetValueOrDefault(cause) + group.Count();
                Console.Error.WriteLine($"herald-bench: chaos r{r} got {group.Count()} messages again after {cause} at {group.Key?.At ?? 0:0.0} s: {Ranges(group.Select(a => a.Id).Order().ToArray())}");
            }
            foreignIds += mine.Count(a => a.WebhookId != $"msg_{a.Id}");
        }

        Add("pushes", pushes.Length);
        Add("accepted", accepted.Count);
        foreach (var status in pushes.GroupBy(p => p.Status))
            Add($"status_{(status.Key == 0 ? "no_answer" : status.Key.ToString(CultureInfo.InvariantCulture))}", status.Count());
        Add("untruthful_503", untruthful);
        Add("lost", lost);
        Add("inversions", inversions);
        Add("duplicates", duplicates);
        Add("duplicates_with_another_webhook_id", foreignIds);
        foreach (var (cause, count) in duplicatesAfter)
            Add($"duplicates_after_{cause}", count);
        Add("settled", settled ? 1 : 0);

        // SSE: per listener, then the worst.
        var sseHoles = 0;
        var sseDuplicates = 0;
        var sseInversions = 0;
        foreach (var listener in listeners)
        {
            var ids = listener.Ids;
            if (ids.Count == 0)
                continue;
            var seen = ids.ToHashSet();
            sseDuplicates += ids.Count - seen.Count;
            sseInversions += ids.Zip(ids.Skip(1)).Count(pair => pair.Second <= pair.First);
            var holes = accepted.Keys.Where(id => id > ids[0] && id < ids[^1] && !seen.Contains(id)).Order().ToArray();
            sseHoles += holes.Length;
            if (holes.Length > 0)
                Console.Error.WriteLine($"herald-bench: chaos SSE listener on gateway {listener.Gateway} skipped {Ranges(holes)} ({listener.Reconnects} reconnects, {listener.Resets} resets)");
        }

        Add("sse_holes", sseHoles);
        Add("sse_duplicates", sseDuplicates);
        Add("sse_inversions", sseInversions);
        Add("sse_resets", listeners.Sum(l => l.Resets));
        Add("sse_reconnects", listeners.Sum(l => l.Reconnects));

        // Idle with a backlog.
        var healthyIdle = _longestIdle.Skip(ChaosPlan.FirstHealthyReceiver).ToArray();
        Add("longest_idle_with_backlog_s", healthyIdle.DefaultIfEmpty(0).Max());
        Add("endpoints_idle_over_10s", healthyIdle.Count(s => s > 10));

        // Push latency: overall, after the first minute, and in the 10 s after each kind of fault.
        var latencies = pushes.Where(p => p.Status != 0).Select(p => p.Seconds * 1000).Order().ToArray();
        Add("push_p50_ms", Stats.Percentile(latencies, 50));
        Add("push_p99_ms", Stats.Percentile(latencies, 99));
        Add("push_max_ms", latencies.DefaultIfEmpty(0).Max());
        var afterMinute = pushes.Where(p => p.Status != 0 && p.At >= 60).Select(p => p.Seconds * 1000).Order().ToArray();
        if (afterMinute.Length > 0)
        {
            Add("push_p99_after_first_minute_ms", Stats.Percentile(afterMinute, 99));
            Add("push_max_after_first_minute_ms", afterMinute.Max());
        }

        foreach (var kind in faults.Select(f => f.Kind).Distinct())
        {
            var ofKind = faults.Where(f => f.Kind == kind).ToArray();
            var near = pushes.Where(p => p.Status != 0 && ofKind.Any(f => p.At >= f.At && p.At < f.At + AfterFault.TotalSeconds)).Select(p => p.Seconds * 1000).Order().ToArray();
            if (near.Length > 0)
            {
                Add($"push_p99_after_{kind}_ms", Stats.Percentile(near, 99));
                Add($"push_max_after_{kind}_ms", near.Max());
            }

            // How long the healthy receivers went without a delivery after the fault, the slowest of them.
            var resumes = ofKind.Select(f => Enumerable.Range(ChaosPlan.FirstHealthyReceiver, plan.Receivers - ChaosPlan.FirstHealthyReceiver)
                .Select(r => arrivals.Where(a => a.Receiver == r && a.At >= f.At).Select(a => a.At - f.At).DefaultIfEmpty(double.NaN).Min())
                .Max()).Where(s => !double.IsNaN(s)).ToArray();
            if (resumes.Length > 0)
                Add($"delivery_resumes_after_{kind}_s", resumes.Max());
            Add($"restart_to_ready_{kind}_s", ofKind.Max(f => f.RestartToReadySeconds));
            Add($"stop_{kind}_s", ofKind.Max(f => f.StopSeconds));
            if (kind == "sigterm-silo")
                Add("sigterm_nonzero_exits", ofKind.Count(f => f.ExitCode is not 0));
        }

        Add("faults", faults.Length);
        Add("machine_cpu_busy_percent", cpu * 100);
        Add("load_seconds", loadSeconds);
        Add("error_log_lines", logs.Errors);
        Add("warning_log_lines", logs.Warnings);
        Add("codec_not_found_lines", logs.CodecNotFound);
        Add("failed_starts", failedStarts);
        Add("exited_without_a_fault", exited);

        var correct = lost == 0 && inversions == 0 && foreignIds == 0 && sseHoles == 0 && sseDuplicates == 0 && sseInversions == 0 && untruthful == 0 && logs.CodecNotFound == 0
                      && !pushes.Any(p => p.Status == 500) && settled && healthyIdle.All(s => s <= 10);
        var mode = plan.WithFaults ? $"faults every {plan.FaultEverySeconds:0} s" : "no faults";
        return new ScenarioResult("chaos", mode,
            new() { ["seconds"] = plan.Seconds, ["rate"] = plan.Rate, ["fault_every_s"] = plan.FaultEverySeconds, ["faults"] = string.Join(",", plan.Faults), ["receivers"] = plan.Receivers, ["listeners"] = plan.Listeners, ["grain_directory"] = plan.GrainDirectory },
            metrics, "0 lost, 0 inversions, 0 SSE holes or duplicates, no endpoint idle with a backlog over 10 s, no 500, every 503 truthful, no NpgsqlException without a codec", correct,
            "Three silos and two gateways (no webhook grains) on one PostgreSQL over mutual TLS; each fault's process is started again at once (PostgreSQL restarted with -m immediate). " +
            "r0 and r1 answer 503 for the first 30 s, r2 takes " + ChaosPlan.SlowBy.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms; idle and resume figures are over the healthy receivers.");
    }
}
