using Herald.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Herald.McpBridge.Tests;

public sealed class SecuredClusterFixture : IAsyncLifetime
{
    public SecuredCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await SecuredCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// The bridge as an Orleans client of a cluster with API keys and mutual TLS: its key decides what its tools may do,
/// exactly as over HTTP, and without the cluster's certificate it does not get in at all.
/// </summary>
public sealed class ClusterBridgeSecurityTests(SecuredClusterFixture fixture) : IClassFixture<SecuredClusterFixture>
{
    private SecuredCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_bridge_without_a_key_can_do_nothing_once_keys_exist()
    {
        var bridge = await Cluster.BridgeAsync(key: null);

        foreach (var (tool, arguments) in new (string, Dictionary<string, object?>)[]
                 {
                     ("list_webhooks", []),
                     ("get_event_sources", []),
                     ("push_webhook", new() { ["message"] = "anonymous" }),
                     ("register_webhook", new() { ["url"] = "http://127.0.0.1:9/anonymous" }),
                     ("list_subscriptions", []),
                 })
        {
            var result = await CallAsync(bridge, tool, arguments);
            Assert.True(result.IsError, $"{tool} answered without a key: {Text(result)}");
            Assert.Contains("An API key is required", Text(result), StringComparison.Ordinal);
            Assert.Contains("Herald__ApiKey", Text(result), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_bridge_with_a_read_key_reads_but_cannot_push_or_register()
    {
        var bridge = await Cluster.BridgeAsync(SecuredCluster.ReadKey);

        Assert.NotEqual(true, (await CallAsync(bridge, "list_webhooks")).IsError);
        Assert.NotEqual(true, (await CallAsync(bridge, "get_event_sources")).IsError);

        var push = await CallAsync(bridge, "push_webhook", new() { ["message"] = "read keys do not push" });
        Assert.True(push.IsError);
        Assert.Contains("The key 'key-read' lacks the 'push' scope", Text(push), StringComparison.Ordinal);

        var register = await CallAsync(bridge, "register_webhook", new() { ["url"] = "http://127.0.0.1:9/exfiltrate", ["topics"] = new[] { "*", "inbound.*" } });
        Assert.True(register.IsError);
        Assert.Contains("lacks the 'manage' scope", Text(register), StringComparison.Ordinal);
        var listed = await Cluster.Gateway.Client.GetStringAsync("/api/webhooks");
        Assert.DoesNotContain("exfiltrate", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bridge_with_a_push_key_pushes_but_not_as_a_verified_inbound_source()
    {
        var bridge = await Cluster.BridgeAsync(SecuredCluster.PushKey);

        var pushed = await CallAsync(bridge, "push_stream", new() { ["message"] = "with the push scope" });
        Assert.NotEqual(true, pushed.IsError);

        var forged = await CallAsync(bridge, "push_webhook", new() { ["message"] = "a forged GitHub event", ["topic"] = "inbound.github" });
        Assert.True(forged.IsError);
        Assert.Contains("inbound.", Text(forged), StringComparison.Ordinal);
        var published = await CallAsync(bridge, "publish_event", new() { ["channel"] = "inbound.stripe", ["event_data"] = new { type = "charge.succeeded" } });
        Assert.True(published.IsError);
        Assert.Contains("inbound.", Text(published), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bridge_without_the_cluster_certificate_or_with_another_clusters_gets_a_tool_error_that_names_the_setting()
    {
        foreach (var certificate in new[] { SecuredCluster.NoCertificate, ClusterCertificates.Foreign })
        {
            var bridge = await Cluster.BridgeAsync(SecuredCluster.AllKey, certificate);
            var result = await CallAsync(bridge, "list_webhooks");
            Assert.True(result.IsError, $"a bridge with {(certificate == SecuredCluster.NoCertificate ? "no certificate" : "another cluster's certificate")} got in: {Text(result)}");
            Assert.Contains("Herald__Cluster__Tls__CertificatePath", Text(result), StringComparison.Ordinal);
        }

        await Eventually.TrueAsync(() => Cluster.Silo.Output.Contains("does not speak TLS", StringComparison.Ordinal) &&
                                         Cluster.Silo.Output.Contains("CN=herald-foreign", StringComparison.Ordinal),
            "the silo logged both refused bridges");
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static Task<CallToolResult> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null) =>
        client.CallToolAsync(tool, arguments ?? []).AsTask();
}
