using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Herald.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Herald.McpBridge.Tests;

/// <summary>
/// The bridge's own doors: its Streamable HTTP endpoint tried as a web page doing DNS rebinding would and without or
/// with a wrong key, and its outgoing requests, which a tool argument must not be able to send elsewhere with the
/// bridge's API key.
/// </summary>
public sealed class HttpBridgeSecurityTests
{
    private static readonly string BridgeKey = TestKeys.ByScope["all"];

    private static readonly string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";

    [Fact]
    public async Task A_host_or_origin_other_than_this_machines_is_refused_with_403_and_loopback_ones_are_served()
    {
        await using var bridge = await StartBridgeAsync(new Dictionary<string, string>());

        using (var rebinding = await PostAsync(bridge, host: "evil.example:8100", origin: "http://evil.example:8100"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, rebinding.StatusCode);
            Assert.Contains("Host 'evil.example:8100' is not one this bridge serves", await ErrorAsync(rebinding), StringComparison.Ordinal);
        }

        using (var page = await PostAsync(bridge, origin: "https://evil.example"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
            Assert.Contains("Origin 'https://evil.example' may not use this bridge", await ErrorAsync(page), StringComparison.Ordinal);
        }

        foreach (var (host, origin) in new (string?, string?)[] { (null, null), ($"localhost:{bridge.BaseAddress.Port}", $"http://localhost:{bridge.BaseAddress.Port}"), (null, "http://127.0.0.1:5173") })
        {
            using var served = await PostAsync(bridge, host, origin);
            Assert.True(served.IsSuccessStatusCode, $"Host {host}, Origin {origin}: {(int)served.StatusCode} {await served.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task With_keys_a_request_without_one_or_with_a_wrong_one_gets_401_and_a_client_with_the_key_uses_every_tool()
    {
        await using var bridge = await StartBridgeAsync(new Dictionary<string, string>
        {
            ["Herald:Mcp:Keys:0:Name"] = "claude",
            ["Herald:Mcp:Keys:0:Hash"] = TestKeys.Hash(BridgeKey),
        });

        foreach (var key in new[] { null, "hk_not-the-bridges-key" })
        {
            using var refused = await PostAsync(bridge, key: key);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains("A key is required", await ErrorAsync(refused), StringComparison.Ordinal);
        }

        using (var metrics = await bridge.Client.GetAsync("/metrics"))
            Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);

        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(bridge.BaseAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {BridgeKey}" },
        }));
        Assert.Equal(29, (await client.ListToolsAsync()).Count);
        var sources = await client.CallToolAsync("get_event_sources", new Dictionary<string, object?>());
        Assert.NotEqual(true, sources.IsError);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://[::]:0")]
    public async Task An_http_bridge_that_would_listen_beyond_loopback_without_a_key_refuses_to_start(string url)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            HeraldProcess.StartAsync("exposed-bridge", "McpBridge", new Dictionary<string, string> { ["urls"] = url }, ["--http"]));
        Assert.Contains("exited (1)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Herald cannot start: the MCP bridge would listen on", failure.Message, StringComparison.Ordinal);
        Assert.Contains("keys new", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_tool_sends_the_api_key_to_the_configured_gateway_only_and_nowhere_but_this_machine()
    {
        // Something on another loopback address, as the 127.0.0.2:9001, that records what it is sent.
        var received = new ConcurrentQueue<string?>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.2:0");
        await using var elsewhere = builder.Build();
        elsewhere.MapPost("/api/push", (Microsoft.AspNetCore.Http.HttpRequest request) =>
        {
            received.Enqueue(request.Headers.Authorization.FirstOrDefault());
            return Microsoft.AspNetCore.Http.Results.Json(new { error = "not a Herald" }, statusCode: 404);
        });
        await elsewhere.StartAsync();
        var port = new Uri(elsewhere.Urls.Single()).Port;

        await using var stdio = await BridgeFixture.ConnectStdioAsync(new Dictionary<string, string>
        {
            ["Herald:GatewayUrl"] = BridgeFixture.StoppedGatewayUrl(),
            ["Herald:ApiKey"] = "hk_the-bridges-own-key",
        });

        var local = await stdio.CallToolAsync("push_webhook", new Dictionary<string, object?> { ["message"] = "hello", ["host"] = "127.0.0.2", ["port"] = port });
        Assert.True(local.IsError);
        Assert.Single(received);
        Assert.Null(received.Single());

        foreach (var host in new[] { "10.11.12.13", "example.com", "169.254.169.254" })
        {
            var remote = await stdio.CallToolAsync("push_webhook", new Dictionary<string, object?> { ["message"] = "hello", ["host"] = host, ["port"] = port });
            Assert.True(remote.IsError);
            Assert.Contains($"host '{host}' is not this machine", Text(remote), StringComparison.Ordinal);
        }

        Assert.Single(received);
    }

    /// <summary>The message of the JSON-RPC error a refusal carries.</summary>
    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString()!;

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static async Task<HeraldProcess> StartBridgeAsync(Dictionary<string, string> settings)
    {
        settings["Herald:Storage"] = "Memory";
        return await HeraldProcess.StartAsync("bridge", "McpBridge", settings, ["--http"]);
    }

    private static Task<HttpResponseMessage> PostAsync(HeraldProcess bridge, string? host = null, string? origin = null, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (host is not null)
            request.Headers.Host = host;
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return bridge.Client.SendAsync(request);
    }
}
