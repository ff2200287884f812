using System.Diagnostics;
using Herald.Testing;

namespace Herald.Cluster.Tests;

public sealed class LocalClusterScriptTests
{
    [Fact]
    public async Task The_local_cluster_script_starts_silos_and_gateways_reports_them_ready_and_stops_everything()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Path.Combine(RepositoryLayout.Root, "deploy", "local-cluster.sh"), "--silos", "2", "--gateways", "1", "--no-build",
                     "--configuration", RepositoryLayout.Configuration, "--check", "--silo-port", "0", "--gateway-port", "0"])
            start.ArgumentList.Add(argument);

        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await script.WaitForExitAsync(timeout.Token);

        var text = await output;
        Assert.True(script.ExitCode == 0, $"exit {script.ExitCode}: {text}{await errors}");
        Assert.Contains("Herald cluster ready", text, StringComparison.Ordinal);
        Assert.Contains("silo-1 http://127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains("silo-2 http://127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains("gateway-1 http://127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains("stopping 3 Herald processes and PostgreSQL", text, StringComparison.Ordinal);

        // Stopped means stopped: nothing answers on the gateway's port any more.
        var gatewayUrl = text.Split('\n').Single(l => l.TrimStart().StartsWith("gateway-1 ", StringComparison.Ordinal)).Trim().Split(' ')[1];
        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(new Uri(gatewayUrl), "/healthz")));
    }
}
