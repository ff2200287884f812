using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Herald.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static Herald.Testing.InboundSigning;

namespace Herald.McpBridge.Tests;

public sealed class ClusterLogSecrecyTests
{
    private static readonly Dictionary<string, string> Trace = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Orleans"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Orleans.Connections.Security"] = "Trace",
        ["Logging:LogLevel:ModelContextProtocol"] = "Trace",

        // Categories Herald's defaults quiet to Critical (failover noise that reaches the caller): at Trace here too.
        ["Logging:LogLevel:Orleans.Messaging"] = "Trace",
        ["Logging:LogLevel:Orleans.Storage.AdoNetGrainStorage"] = "Trace",
        ["Logging:LogLevel:Orleans.Runtime.GrainCallCancellationManager"] = "Trace",
        ["Logging:LogLevel:Microsoft.Extensions.Logging.ILogger"] = "Trace",
        ["Logging:LogLevel:Polly"] = "Trace",
        ["Logging:LogLevel:Orleans.Runtime.ReminderService"] = "Trace",
        ["Logging:LogLevel:Orleans.Streams"] = "Trace",
        ["Logging:LogLevel:Orleans.Providers.MemoryAdapterReceiver"] = "Trace",
    };

    [Fact]
    public async Task A_session_through_the_bridge_in_a_cluster_logged_at_trace_everywhere_holds_no_key_secret_or_signature()
    {
        var settings = new Dictionary<string, string>(Trace);
        foreach (var (key, value) in Sources.Where(s => s.Key.Contains(":github:", StringComparison.Ordinal)))
            settings[key] = value!;
        await using var cluster = await SecuredCluster.StartAsync(settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        var bridge = await cluster.BridgeAsync(SecuredCluster.AllKey, extra: Trace);
        var intruder = await cluster.BridgeAsync("hk_a-wrong-key-for-the-log-test", extra: Trace);
        var endpointSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        Ok(await CallAsync(bridge, "register_webhook", new() { ["url"] = receiver.Url("signed"), ["secret"] = endpointSecret }));
        var generated = Ok(await CallAsync(bridge, "register_webhook", new() { ["url"] = receiver.Url("generated") }));
        Ok(await CallAsync(bridge, "push_webhook", new() { ["message"] = "a signed delivery" }));
        await Eventually.TrueAsync(() => receiver.Delivered("signed").Count == 1 && receiver.Delivered("generated").Count == 1, "both signed deliveries arrived");
        using (var inbound = GitHub("push", Sample("github-push.json"), "cluster-secrecy-1"))
            (await cluster.Gateway.Client.SendAsync(inbound)).Dispose();
        Ok(await CallAsync(bridge, "get_recent_events", new() { ["limit"] = 5 }));
        Ok(await CallAsync(bridge, "list_webhooks"));
        Ok(await CallAsync(bridge, "wait_for_event", new() { ["source"] = "github", ["timeout_seconds"] = 1 }));
        Assert.True((await CallAsync(intruder, "list_webhooks")).IsError);

        var generatedSecret = generated.StructuredContent!.Value.GetProperty("secret").GetString()!;
        var signatures = receiver.Delivered("signed").Concat(receiver.Delivered("generated")).Select(r => r.Header("webhook-signature")).ToArray();
        var inboundSignature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitHubSecret), Encoding.UTF8.GetBytes(Sample("github-push.json"))));

        await cluster.DisposeAsync();
        var logs = string.Join('\n', cluster.Silo.Output, cluster.Gateway.Output, string.Join('\n', cluster.BridgeLogs));
        Assert.True(logs.Split('\n').Length > 2000, $"the capture saw the session at trace level ({logs.Split('\n').Length} lines)");
        // Orleans traced the answers that carried the endpoints' secrets (shown once, at registration): the secrets are not in them.
        Assert.Contains("Outcome { Value = EndpointStatus { Id = ", logs, StringComparison.Ordinal);
        foreach (var secret in new[]
                 {
                     SecuredCluster.AllKey, "hk_a-wrong-key-for-the-log-test", endpointSecret, endpointSecret["whsec_".Length..], generatedSecret,
                     generatedSecret["whsec_".Length..], GitHubSecret, inboundSignature,
                 }.Concat(signatures))
        {
            // As written, and as it would appear inside logged JSON, once or twice escaped ('+' is \u002B there).
            var escaped = JsonEncodedText.Encode(secret).ToString();
            foreach (var form in new[] { secret, escaped, JsonEncodedText.Encode(escaped).ToString() })
                Assert.DoesNotContain(form, logs, StringComparison.Ordinal);
        }
    }

    private static CallToolResult Ok(CallToolResult result)
    {
        Assert.True(result.IsError is not true, string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text)));
        return result;
    }

    private static Task<CallToolResult> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null) =>
        client.CallToolAsync(tool, arguments ?? []).AsTask();
}
