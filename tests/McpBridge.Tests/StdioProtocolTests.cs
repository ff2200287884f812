using System.Text.Json;
using Herald.Testing;
using ModelContextProtocol.Client;

namespace Herald.McpBridge.Tests;

/// <summary>The bridge over stdio, below the SDK client: end of input, shutdown, cancellation and protocol revisions.</summary>
public sealed class StdioProtocolTests
{
    [Fact]
    public async Task The_seeds_smoke_test_prints_the_tool_list()
    {
        // echo '{"jsonrpc":"2.0","method":"tools/list","id":1}' | herald-mcp: one request, then end of input at once.
        await using var bridge = BridgeProcess.Start();
        await bridge.SendAsync("{\"jsonrpc\":\"2.0\",\"method\":\"tools/list\",\"id\":1}");
        bridge.CloseInput();

        var answer = Assert.Single(await bridge.ExitedAsync());
        var tools = answer.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(29, tools.Length);
        Assert.Contains("push_webhook", tools);
    }

    [Fact]
    public async Task A_wait_still_running_when_input_ends_is_answered_before_the_bridge_exits()
    {
        await using var gateway = await WatchedGateway.StartAsync();
        await using var bridge = BridgeProcess.Start(gateway.BaseAddress.ToString());
        await bridge.SendAsync(BridgeProcess.Initialize(1, "2025-11-25"));
        await bridge.AnswerAsync(1);
        await bridge.SendAsync(BridgeProcess.Request(2, "tools/call", new { name = "wait_for_event", arguments = new { source = "nobody", timeout_seconds = 2 } }));
        await Eventually.TrueAsync(() => gateway.WaitsInFlight == 1, "the wait is open on the gateway");
        bridge.CloseInput();

        var messages = await bridge.ExitedAsync();
        var result = messages.Single(m => m.TryGetProperty("id", out var id) && id.GetInt32() == 2).GetProperty("result");
        Assert.True(result.GetProperty("structuredContent").GetProperty("timed_out").GetBoolean());
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2025-06-18")]
    [InlineData("2024-11-05")]
    public async Task The_newest_protocol_revision_and_older_ones_are_served(string revision)
    {
        await using var bridge = BridgeProcess.Start();
        await bridge.SendAsync(BridgeProcess.Initialize(1, revision));

        var answer = (await bridge.AnswerAsync(1)).GetProperty("result");
        Assert.Equal(revision, answer.GetProperty("protocolVersion").GetString());
        Assert.Equal("herald", answer.GetProperty("serverInfo").GetProperty("name").GetString());
        bridge.CloseInput();
        await bridge.ExitedAsync();
    }

    [Fact]
    public async Task Stopping_the_bridge_ends_its_wait_on_the_gateway()
    {
        await using var gateway = await WatchedGateway.StartAsync();
        await using var bridge = BridgeProcess.Start(gateway.BaseAddress.ToString());
        await bridge.SendAsync(BridgeProcess.Initialize(1, "2025-11-25"));
        await bridge.AnswerAsync(1);
        await bridge.SendAsync(BridgeProcess.Request(2, "tools/call", new { name = "wait_for_event", arguments = new { source = "nobody", timeout_seconds = 55 } }));
        await Eventually.TrueAsync(() => gateway.WaitsInFlight == 1, "the wait is open on the gateway");

        await bridge.TerminateAsync();

        await bridge.ExitedAsync();
        await Eventually.TrueAsync(() => gateway.WaitsInFlight == 0, "the gateway's long-poll ended with the bridge");
    }

    [Fact]
    public async Task Cancelling_a_wait_ends_it_on_the_gateway_and_the_session_goes_on()
    {
        await using var gateway = await WatchedGateway.StartAsync();
        await using var client = await BridgeFixture.ConnectStdioAsync(gateway.BaseAddress.ToString());
        using var cancellation = new CancellationTokenSource();
        var waiting = client.CallToolAsync("wait_for_event", new Dictionary<string, object?> { ["source"] = "nobody", ["timeout_seconds"] = 55 }, cancellationToken: cancellation.Token).AsTask();
        await Eventually.TrueAsync(() => gateway.WaitsInFlight == 1, "the wait is open on the gateway");

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await Eventually.TrueAsync(() => gateway.WaitsInFlight == 0, "the gateway's long-poll ended with the cancelled call");
        var sources = await client.CallToolAsync("get_event_sources");
        Assert.True(sources.IsError is not true);
    }
}
