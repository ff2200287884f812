using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Bench;

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

async Task Run(Func<Task<ScenarioResult>> scenario)
{
    var result = await scenario();
    results.Add(result);
    Console.WriteLine(JsonSerializer.Serialize(result, json));
}

bool Wants(string name) => options.Scenarios.Contains(name);

if (Wants("limit") || Wants("fanout"))
{
    foreach (var n in options.FanoutSizes)
        await Run(() => scenarios.LimitAsync(n));
}

if (Wants("limit") || Wants("sse"))
{
    foreach (var k in options.SseSizes)
        await Run(() => scenarios.SseLimitAsync(k));
}

if (Wants("fanout"))
{
    foreach (var mode in options.Modes)
    {
        foreach (var n in options.FanoutSizes)
            await Run(() => scenarios.FanoutAsync(mode, n));
    }
}

if (Wants("throughput"))
{
    foreach (var mode in options.Modes)
        await Run(() => scenarios.ThroughputAsync(mode, options.ThroughputEndpoints, options.ThroughputRate, options.ThroughputSeconds));
}

if (Wants("sse"))
{
    foreach (var k in options.SseSizes)
        await Run(() => scenarios.SseAsync("embedded", k, options.SseMessages));
}

if (Wants("startup"))
{
    foreach (var mode in options.Modes)
        await Run(() => scenarios.StartupAsync(mode));
}

if (Wants("idle"))
    await Run(() => scenarios.IdleAsync("embedded", options.IdleEndpoints, options.IdleConnections));

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
return 0;
