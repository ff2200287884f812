using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;

namespace Herald.Cluster.Tests;

/// <summary>
/// The benchmark harness runs in quick mode and writes well-formed results. This checks shape, not speed:
/// speed is what the harness measures and reports, not something a test asserts.
/// </summary>
public sealed class BenchQuickTests
{
    [Fact]
    public async Task The_benchmark_quick_mode_runs_every_scenario_and_writes_well_formed_json()
    {
        var output = Path.Combine(Path.GetTempPath(), $"herald-bench-{Guid.NewGuid():N}.json");
        var (exitCode, stdout, stderr) = await BenchProcess.RunAsync(["--quick", "--output", output], TimeSpan.FromMinutes(6));
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");

        // One JSON object per scenario on stdout, and the whole report in the output file.
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement;
        File.Delete(output);
        Assert.True(report.GetProperty("quick").GetBoolean());
        Assert.True(report.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        var results = report.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(lines.Length, results.Length);
        Assert.Equal(["fanout", "idle", "limit", "sse", "startup", "throughput"], results.Select(r => r.GetProperty("scenario").GetString()!).Distinct().Order().ToArray());
        Assert.Contains(results, r => r.GetProperty("scenario").GetString() == "fanout" && r.GetProperty("mode").GetString() == "cluster");

        // The SSE comparison: the raw writer and Herald always, and Nchan when Debian's nginx module is here (.ci/run installs it).
        string[] sseServers = File.Exists("/usr/lib/nginx/modules/ngx_nchan_module.so") && File.Exists("/usr/sbin/nginx")
            ? ["embedded", "nchan", "raw-kestrel"]
            : ["embedded", "raw-kestrel"];
        Assert.Equal(sseServers, results.Where(r => r.GetProperty("scenario").GetString() == "sse").Select(r => r.GetProperty("mode").GetString()!).Order().ToArray());
        Assert.All(results.Where(r => r.GetProperty("scenario").GetString() == "sse"), r => Assert.True(r.GetProperty("metrics").TryGetProperty("cpu_us_per_frame", out _)));
        Assert.Contains(results, r => r.GetProperty("scenario").GetString() == "fanout" && r.GetProperty("metrics").TryGetProperty("cpu_us_per_delivery", out _));
        foreach (var result in results)
        {
            Assert.NotEmpty(result.GetProperty("metrics").EnumerateObject());
            foreach (var metric in result.GetProperty("metrics").EnumerateObject())
            {
                foreach (var figure in new[] { "median", "min", "max" })
                    Assert.Equal(JsonValueKind.Number, metric.Value.GetProperty(figure).ValueKind);
                Assert.True(metric.Value.GetProperty("runs").GetInt32() >= 1);
            }
        }
    }
}
