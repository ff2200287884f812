using System.Net;
using System.Text.Json;
using Herald.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Herald.McpBridge.Tests;

/// <summary>As in WebhookMCP and WebstreamMCP: a push to an address on this machine where nothing runs starts Herald there.</summary>
public sealed class AutoStartTests
{
    [Fact]
    public async Task A_push_to_a_free_local_port_starts_herald_there_and_the_next_call_reuses_it()
    {
        var free = new Uri(BridgeFixture.StoppedGatewayUrl());
        var dataPath = HeraldProcess.NewDataPath();
        await using var client = await BridgeFixture.ConnectStdioAsync(new Dictionary<string, string> { ["Herald:GatewayUrl"] = "http://127.0.0.1:9/", ["Herald:DataPath"] = dataPath });

        var first = Structured(await client.CallToolAsync("push_webhook", new Dictionary<string, object?> { ["message"] = "wake up", ["host"] = "localhost", ["port"] = free.Port }));
        var second = Structured(await client.CallToolAsync("push_stream", new Dictionary<string, object?> { ["message"] = "still here", ["host"] = "0.0.0.0", ["port"] = free.Port }));

        Assert.True(first.GetProperty("started_herald").GetBoolean());
        Assert.StartsWith($"Started Herald at http://127.0.0.1:{free.Port}", first.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.False(second.GetProperty("started_herald").GetBoolean());
        Assert.Equal(first.GetProperty("id").GetInt64() + 1, second.GetProperty("id").GetInt64());

        // The hub serves its REST API on that port for as long as the bridge lives.
        using var http = new HttpClient { BaseAddress = free };
        using var listed = await http.GetAsync("/api/webhooks");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using var stream = await http.GetAsync("/stream?lastEventId=0", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);

        // Its data is where a standalone hub keeps it (here, the folder the bridge was given).
        Assert.True(File.Exists(Path.Combine(dataPath, "herald.db")), "the hub the bridge started keeps its data file");
        Directory.Delete(dataPath, recursive: true);
    }

    [Fact]
    public async Task Any_tool_finding_nothing_at_the_configured_local_gateway_starts_herald_there()
    {
        var free = BridgeFixture.StoppedGatewayUrl();
        await using var client = await BridgeFixture.ConnectStdioAsync(free);

        var listed = Structured(await client.CallToolAsync("list_webhooks"));

        Assert.Equal(0, listed.GetProperty("total").GetInt32());
        using var http = new HttpClient { BaseAddress = new Uri(free) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }

    private static JsonElement Structured(CallToolResult result)
    {
        Assert.True(result.IsError is not true, string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text)));
        return result.StructuredContent!.Value;
    }
}
