using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Cluster.Tests;

/// <summary>
/// The bench's chaos scenario in its short form (three silos, two gateways, a fault every 8 s in rotation: SIGKILL and
/// SIGTERM of a silo, SIGKILL of a gateway, PostgreSQL restarted with -m immediate), and the same run without faults.
/// No process may log a CodecNotFoundException: storage errors cross silos as StorageUnavailableException.
/// Correctness only: its speed is the bench's to report.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_faults_and_without_nothing_is_lost_order_holds_sse_is_whole_and_every_answer_is_truthful()
    {
        var report = Path.Combine(Path.GetTempPath(), $"herald-chaos-{Guid.NewGuid():N}.json");
        var (exitCode, stdout, stderr) = await BenchProcess.RunAsync(["--scenarios", "chaos", "--quick", "--output", report], TimeSpan.FromMinutes(10));
        output.WriteLine(stderr);
        Assert.True(exitCode == 0, $"exit {exitCode}");
        File.Delete(report);

        var runs = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(["faults every 8 s", "no faults"], runs.Select(r => r.GetProperty("mode").GetString()!).Order().ToArray());
        foreach (var run in runs)
        {
            var metrics = run.GetProperty("metrics").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetProperty("median").GetDouble());
            var mode = run.GetProperty("mode").GetString();
            output.WriteLine($"{mode}: {string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value}"))}");
            foreach (var zero in (string[])["lost", "inversions", "duplicates_with_another_webhook_id", "sse_holes", "sse_duplicates", "sse_inversions", "untruthful_503", "endpoints_idle_over_10s", "codec_not_found_lines"])
                Assert.True(metrics[zero] == 0, $"{mode}: {zero} is {metrics[zero]}");
            Assert.True(metrics["settled"] == 1, $"{mode}: the receivers did not all get every accepted push");
            Assert.False(metrics.ContainsKey("status_500"), $"{mode}: {metrics.GetValueOrDefault("status_500")} pushes answered 500");
            Assert.True(metrics["push_max_ms"] < 30_000, $"{mode}: a push took {metrics["push_max_ms"]} ms");
            Assert.True(metrics["accepted"] > 0);
        }

        Assert.Equal(4, runs.Single(r => r.GetProperty("mode").GetString() != "no faults").GetProperty("metrics").GetProperty("faults").GetProperty("median").GetDouble());
    }
}
