using System.Net.Http.Json;
using Herald.Testing;

namespace Herald.Cluster.Tests;

/// <summary>The executables behave the same whatever directory they are started from.</summary>
public sealed class ExecutableStartTests
{
    [Fact]
    public async Task A_gateway_started_from_the_repository_root_keeps_the_framework_quiet_under_requests()
    {
        // As deploy/local-cluster.sh starts it: from elsewhere, with nothing but the defaults for framework logging.
        await using var gateway = await HeraldProcess.StartAsync("gateway-from-root", "Gateway", new Dictionary<string, string>(),
            workingDirectory: RepositoryLayout.Root, environment: new Dictionary<string, string?> { ["Logging__LogLevel__Microsoft.AspNetCore"] = null });
        await gateway.WaitReadyAsync();

        for (var i = 0; i < 5; i++)
        {
            using var pushed = await gateway.Client.PostAsJsonAsync("/api/push", new { message = $"m{i}" });
            pushed.EnsureSuccessStatusCode();
            using var listed = await gateway.Client.GetAsync("/api/webhooks");
            listed.EnsureSuccessStatusCode();
        }

        // Herald's own Information line comes after every request above in the one console queue.
        using (var marker = await gateway.Client.PostAsync("/api/stream/disconnect", null))
            marker.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => gateway.Output.Contains("An operator disconnected 0 SSE listeners", StringComparison.Ordinal), "the marker line is logged");

        Assert.DoesNotContain("Microsoft.AspNetCore.Routing", gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Executing endpoint", gateway.Output, StringComparison.Ordinal);
    }
}
