using Herald.Testing;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;

namespace Herald.Gateway.Tests;

/// <summary>WebhookMCP's API keeps its exact shapes, field for field.</summary>
public sealed class SeedApiShapeTests
{
    private static string[] Fields(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Register_unregister_and_list_answer_with_the_seed_shapes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var a = receiver.Url("a");
        var b = receiver.Url("b");

        var registered = await server.PostJsonAsync("/api/register", new { webhook_url = a });
        Assert.Equal(["status", "webhook_url", "total_webhooks"], Fields(registered));
        Assert.Equal("success", registered.GetProperty("status").GetString());
        Assert.Equal(a, registered.GetProperty("webhook_url").GetString());
        Assert.Equal(1, registered.GetProperty("total_webhooks").GetInt32());

        await server.PostJsonAsync("/api/register", new { webhook_url = b });
        var again = await server.PostJsonAsync("/api/register", new { webhook_url = a });
        Assert.Equal(2, again.GetProperty("total_webhooks").GetInt32());

        var list = await server.GetJsonAsync("/api/webhooks");
        Assert.Equal(["webhooks", "total"], Fields(list));
        Assert.Equal([a, b], list.GetProperty("webhooks").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(2, list.GetProperty("total").GetInt32());

        var unregistered = await server.PostJsonAsync("/api/unregister", new { webhook_url = a });
        Assert.Equal(["status", "webhook_url", "total_webhooks"], Fields(unregistered));
        Assert.Equal("success", unregistered.GetProperty("status").GetString());
        Assert.Equal(a, unregistered.GetProperty("webhook_url").GetString());
        Assert.Equal(1, unregistered.GetProperty("total_webhooks").GetInt32());
        Assert.Equal([b], (await server.GetJsonAsync("/api/webhooks")).GetProperty("webhooks").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task Push_answers_with_the_seed_fields_plus_id_and_topic()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("a") });
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("b") });
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress);
        await listener.NextAsync();

        var pushed = await server.PushAsync("hello");

        Assert.Equal(["status", "message", "timestamp", "webhooks_notified", "total_webhooks", "clients", "id", "topic"], Fields(pushed));
        Assert.Equal("success", pushed.GetProperty("status").GetString());
        Assert.Equal("hello", pushed.GetProperty("message").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", pushed.GetProperty("timestamp").GetString());
        Assert.Equal(2, pushed.GetProperty("webhooks_notified").GetInt32());
        Assert.Equal(2, pushed.GetProperty("total_webhooks").GetInt32());
        Assert.Equal(1, pushed.GetProperty("clients").GetInt32());
        Assert.Equal(1, pushed.GetProperty("id").GetInt64());
        Assert.Equal("default", pushed.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task Push_without_waiting_answers_202_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var gate = new TaskCompletionSource();
        receiver.Behave("slow", async (_, _) =>
        {
            await gate.Task;
            return (200, null);
        });
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("slow") });

        // The receiver is held until after the push returns, so only a push that does not wait can return.
        var pushed = await server.PushAsync("no wait", wait: false);
        gate.SetResult();

        Assert.Equal(0, pushed.GetProperty("webhooks_notified").GetInt32());
        Assert.Equal(1, pushed.GetProperty("total_webhooks").GetInt32());
        await Eventually.TrueAsync(() => receiver.Delivered("slow").Count == 1, "the held receiver got the message");
    }

    [Fact]
    public async Task Webhook_body_and_headers_follow_the_contract()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("a") });

        var defaultPush = await server.PushAsync("body check");
        await Eventually.TrueAsync(() => receiver.Delivered("a").Count == 1, "the receiver got the default-topic push");

        var request = receiver.Delivered("a")[0];
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(["message", "timestamp", "id", "topic"], Fields(body));
        Assert.Equal("body check", body.GetProperty("message").GetString());
        Assert.Equal(defaultPush.GetProperty("timestamp").GetString(), body.GetProperty("timestamp").GetString());
        Assert.Equal(defaultPush.GetProperty("id").GetInt64(), body.GetProperty("id").GetInt64());
        Assert.Equal("default", body.GetProperty("topic").GetString());
        Assert.StartsWith("application/json", request.Header("content-type"));
        Assert.Equal($"msg_{defaultPush.GetProperty("id").GetInt64()}", request.Header("webhook-id"));
        Assert.True(long.TryParse(request.Header("webhook-timestamp"), out _));
        Assert.False(request.Headers.ContainsKey("webhook-signature"), "an endpoint registered without a secret is not signed");
    }
}
