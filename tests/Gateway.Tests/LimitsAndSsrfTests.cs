using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

public sealed class LimitsAndSsrfTests
{
    [Theory]
    [InlineData("/api/register", "webhook_url", "http://localhost:{port}/blocked")]
    [InlineData("/api/endpoints", "url", "http://10.0.2.2:9000/hook")]
    [InlineData("/api/endpoints", "url", "http://192.0.2.10/hook")]
    [InlineData("/api/register", "webhook_url", "http://[::1]:9000/hook")]
    public async Task Registering_a_receiver_the_ssrf_guard_would_block_is_refused_with_the_setting_to_change(string path, string field, string url)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Delivery:AllowPrivateNetworks"] = "false" });
        using var response = await server.Client.PostAsJsonAsync(path, new Dictionary<string, string> { [field] = url.Replace("{port}", receiver.BaseAddress.Port.ToString(), StringComparison.Ordinal) });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Blocked by the SSRF guard", System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("Herald:Delivery:AllowedNetworks", text, StringComparison.Ordinal);
        Assert.Equal(0, (await server.GetJsonAsync("/api/webhooks")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_hostname_resolving_to_loopback_is_refused_at_connect_time_recorded_and_not_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Delivery:AllowPrivateNetworks"] = "false" });

        // Registered as if its name had resolved to a public address then (DNS changes; rebinding attacks rely on it):
        // the guard checks again at every connect.
        var (endpoint, _, _) = await server.Services.GetRequiredService<Herald.Application.Endpoints.EndpointFactory>().CreateAsync(
            $"http://localhost:{receiver.BaseAddress.Port}/blocked", [], null, null, null, CancellationToken.None);
        var id = endpoint!.Id;

        var pushed = await server.PushAsync("to a private address");

        Assert.Equal(0, pushed.GetProperty("webhooks_notified").GetInt32());
        var status = await server.StatusWhenAsync(id, s => !s.GetProperty("enabled").GetBoolean(), "the blocked endpoint is disabled");
        Assert.StartsWith("Blocked by the SSRF guard: localhost resolves to", status.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
        var attempts = await server.AttemptsAsync(id, 1);
        Assert.Equal(1, attempts.GetProperty("total").GetInt32());
        var attempt = attempts.GetProperty("attempts")[0];
        Assert.Equal("disabled", attempt.GetProperty("outcome").GetString());
        Assert.Contains("127.0.0.1", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.All("blocked"));
    }

    [Fact]
    public async Task An_allowed_network_is_reachable_while_other_private_addresses_stay_blocked()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Delivery:AllowPrivateNetworks"] = "false",
            ["Herald:Delivery:AllowedNetworks:0"] = "127.0.0.0/8",
        });
        await server.CreateEndpointAsync($"http://localhost:{receiver.BaseAddress.Port}/allowed");
        var (endpoint, _, _) = await server.Services.GetRequiredService<Herald.Application.Endpoints.EndpointFactory>().CreateAsync(
            "http://10.255.255.1:9/elsewhere", [], null, null, null, CancellationToken.None);
        var blocked = endpoint!.Id;

        await server.PushAsync("through the allowed network");

        Assert.Single(receiver.Delivered("allowed"));
        var status = await server.StatusWhenAsync(blocked, s => !s.GetProperty("enabled").GetBoolean(), "the private address is refused");
        Assert.Contains("10.255.255.1", status.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_calls_beyond_the_per_client_rate_get_429_with_retry_after_and_keys_have_their_own_budget()
    {
        var settings = TestKeys.Settings();
        settings["Herald:Limits:RequestsPerMinute"] = "5";
        await using var server = await HeraldServer.StartAsync(settings);
        HttpRequestMessage Get(string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return request;
        }

        for (var i = 0; i < 5; i++)
        {
            using var request = Get(TestKeys.ByScope["read"]);
            using var ok = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var over = Get(TestKeys.ByScope["read"]))
        using (var limited = await server.Client.SendAsync(over))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        using var other = Get(TestKeys.ByScope["all"]);
        using var fresh = await server.Client.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Sse_listeners_beyond_the_per_address_limit_get_429_and_a_freed_place_can_be_taken()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Sse:MaxConnectionsPerIp"] = "2" });
        var first = await SseClient.ConnectAsync(server.BaseAddress);
        await using var second = await SseClient.ConnectAsync(server.BaseAddress);
        await first.NextAsync();
        await second.NextAsync();

        using (var third = await server.Client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Contains("SSE listeners", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await first.DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            using var again = await server.Client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
            return again.StatusCode == HttpStatusCode.OK;
        }, "the freed place is taken by a new listener");
    }

    [Fact]
    public async Task Oversized_headers_and_request_lines_are_refused_with_4xx()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Limits:MaxRequestHeadersBytes"] = "4096",
            ["Herald:Limits:MaxRequestLineBytes"] = "1024",
        });

        using var headers = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
        headers.Headers.TryAddWithoutValidation("X-Padding", new string('x', 8000));
        using var tooManyHeaders = await server.Client.SendAsync(headers);
        using var tooLongLine = await server.Client.GetAsync("/api/webhooks?q=" + new string('y', 2000));

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, tooManyHeaders.StatusCode);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, tooLongLine.StatusCode);
        using var fine = await server.Client.PostAsync("/api/push", new StringContent("{\"message\":\"still fine\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }
}
