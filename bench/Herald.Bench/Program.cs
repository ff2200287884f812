using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Bench;
using Herald.Bench.Peers;

if (args.FirstOrDefault() == PeerHost.Verb)
    return await PeerHost.RunAsync(args[1..]);

// Herald's benchmark harness: see the Performance section of the README.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
{
    await Console.Error.WriteLineAsync($"herald-bench: {exception.Message}");
    return 2;
}

// A ratio is "NaN" when its limit scenario was left out of the run; that must print, not throw.
var json = new JsonSerializerOptions
{
    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
};
var scenarios = new Scenarios(options);
var results = new List<ScenarioResult>();
var clock = Stopwatch.StartNew();

var stalled = 0;
async Task Run(string name, string mode, Dictionary<string, object> parameters, Func<Task<IEnumerable<ScenarioResult>>> scenario)
{
    try
    {
        foreach (var result in await scenario())
            Report(result);
    }
    catch (TimeoutException exception)
    {
        // A stall is a finding, not the end of the run: it is reported, with what Herald logged, and the rest runs.
        stalled++;
        await Console.Error.WriteLineAsync($"herald-bench: {name} ({mode}) stalled: {exception.Message}");
        Report(new ScenarioResult(name, mode, parameters, [], "completes", false, "Stalled: " + exception.Message.Split('\n')[0]));
    }
}

Task RunOne(string name, string mode, Dictionary<string, object> parameters, Func<Task<ScenarioResult>> scenario) =>
    Run(name, mode, parameters, async () => [await scenario()]);

void Report(ScenarioResult result)
{
    results.Add(result);
    Console.WriteLine(JsonSerializer.Serialize(result, json));
}

bool Wants(string name) => options.Scenarios.Contains(name);

if (Wants("limit") || Wants("fanout"))
{
    foreach (var n in options.FanoutSizes)
        await RunOne("limit", "bare-httpclient", new() { ["n"] = n }, () => scenarios.LimitAsync(n));
}

if (Wants("fanout"))
{
    foreach (var mode in options.Modes)
    {
        foreach (var n in options.FanoutSizes)
            await RunOne("fanout", mode, new() { ["n"] = n }, () => scenarios.FanoutAsync(mode, n));
    }
}

if (Wants("throughput"))
{
    foreach (var mode in options.Modes)
    {
        await Run("throughput", mode, new() { ["endpoints"] = options.ThroughputEndpoints }, async () =>
            await scenarios.ThroughputAsync(mode, options.ThroughputEndpoints, options.ThroughputRates, options.ThroughputSeconds));
    }
}

if (Wants("sse"))
{
    if (options.SsePeers.Contains("nchan") && NchanServer.Missing is { } missing)
        Console.Error.WriteLine($"herald-bench: Nchan is left out of the SSE comparison: {missing}");
    foreach (var k in options.SseSizes)
    {
        var servers = new List<ISseServer>();
        try
        {
            if (options.SsePeers.Contains("raw"))
                servers.Add(await RawSseProcess.StartAsync());
            if (options.SsePeers.Contains("nchan") && NchanServer.Missing is null)
                servers.Add(new NchanSseServer(await NchanServer.StartAsync()));
            foreach (var mode in options.SseModes)
                servers.Add(new HeraldSseServer(await HeraldUnderTest.StartAsync(mode)));
            await Run("sse", string.Join(",", options.SseModes), new() { ["k"] = k }, async () => await scenarios.SseAsync(servers, k));
        }
        finally
        {
            foreach (var server in servers)
                await server.DisposeAsync();
        }
    }
}

if (Wants("startup"))
{
    foreach (var mode in options.Modes)
        await RunOne("startup", mode, [], () => scenarios.StartupAsync(mode));
}

if (Wants("chaos"))
{
    var plan = new Herald.Bench.Chaos.ChaosPlan(options.ChaosSeconds, options.ChaosRate, options.ChaosFaultEvery, options.ChaosFaults, options.ChaosGrainDirectory);
    if (options.ChaosBaseline)
        await RunOne("chaos", "no faults", [], () => new Herald.Bench.Chaos.ChaosRun(plan with { Faults = [] }).RunAsync());
    if (plan.WithFaults)
        await RunOne("chaos", $"faults every {plan.FaultEverySeconds:0} s", [], () => new Herald.Bench.Chaos.ChaosRun(plan).RunAsync());
}

if (Wants("idle"))
    await RunOne("idle", "embedded", [], () => scenarios.IdleAsync("embedded", options.IdleEndpoints, options.IdleConnections));

var report = new
{
    GeneratedAt = DateTimeOffset.UtcNow,
    Command = "dotnet run -c Release --project bench/Herald.Bench -- " + string.Join(' ', args),
    Machine = new { Cores = Environment.ProcessorCount, Os = RuntimeInformation.OSDescription, Runtime = RuntimeInformation.FrameworkDescription },
    Quick = options.Quick,
    Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
    Results = results,
};
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(report, new JsonSerializerOptions(json) { WriteIndented = true }));
Console.Error.WriteLine($"wrote {options.Output} ({results.Count} results, {clock.Elapsed.TotalSeconds:0} s)");

// The figures are written either way; a stall still fails the run, so a quick run in the tests catches one.
if (stalled > 0)
    Console.Error.WriteLine($"herald-bench: {stalled} scenario(s) stalled; their results say which");
return stalled > 0 ? 1 : 0;
