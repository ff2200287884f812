using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using static Herald.Testing.InboundSigning;

namespace Herald.Gateway.Tests;

public sealed class LogSecrecyTests
{
    [Fact]
    public async Task A_full_session_logged_at_trace_contains_no_key_secret_authorization_header_or_signature()
    {
        var logs = new CapturingLoggerProvider();
        var settings = TestKeys.Settings();
        foreach (var (k, v) in Sources)
            settings[k] = v;
        await using var receiver = await WebhookReceiver.StartAsync();
        var key = TestKeys.ByScope["all"];
        var endpointSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        await using (var server = await HeraldServer.StartAsync(settings, logs: logs))
        {
            server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            await server.PostJsonAsync("/api/endpoints", new { url = receiver.Url("signed"), secret = endpointSecret }, System.Net.HttpStatusCode.Created);
            var generated = (await server.PostJsonAsync("/api/endpoints", new { url = receiver.Url("generated") }, System.Net.HttpStatusCode.Created)).GetProperty("secret").GetString()!;
            await using (var listener = await SseClient.ConnectAsync(server.BaseAddress, $"/stream?access_token={Uri.EscapeDataString(key)}"))
            {
                await listener.NextAsync();
                await server.PushAsync("signed delivery");
                await listener.NextMessagesAsync(1);
            }

            await Eventually.TrueAsync(() => receiver.Delivered("signed").Count == 1 && receiver.Delivered("generated").Count == 1, "both signed deliveries arrived");
            using (var inbound = GitHub("push", Sample("github-push.json"), "secrecy-1"))
                (await server.Client.SendAsync(inbound)).Dispose();
            using (var forged = GitHub("push", Sample("github-push.json"), "secrecy-2", secret: "a-wrong-secret"))
                (await server.Client.SendAsync(forged)).Dispose();
            server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "hk_wrong_key_attempt");
            (await server.Client.GetAsync("/api/webhooks")).Dispose();

            var signatures = receiver.Delivered("signed").Concat(receiver.Delivered("generated")).Select(r => r.Header("webhook-signature")).ToArray();
            var inboundSignature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitHubSecret), Encoding.UTF8.GetBytes(Sample("github-push.json"))));

            Assert.True(logs.Count > 100, $"the capture saw the session ({logs.Count} lines)");
            var text = logs.Text;
            foreach (var secret in new[] { key, "hk_wrong_key_attempt", endpointSecret, endpointSecret["whsec_".Length..], generated, generated["whsec_".Length..], GitHubSecret, inboundSignature }.Concat(signatures))
            {
                // As written, and as it would appear inside logged JSON ('+' is \u002B there).
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
                Assert.DoesNotContain(System.Text.Json.JsonEncodedText.Encode(secret).ToString(), text, StringComparison.Ordinal);
            }
            Assert.DoesNotContain("Bearer", text, StringComparison.Ordinal);
            Assert.DoesNotContain("access_token", text, StringComparison.Ordinal);
        }
    }
}
