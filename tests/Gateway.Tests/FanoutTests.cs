using Herald.Testing;
using Herald.Gateway.Tests.Infrastructure;

namespace Herald.Gateway.Tests;

public sealed class FanoutTests
{
    [Fact]
    public async Task Push_reaches_every_registered_webhook_in_parallel_and_a_slow_one_delays_only_itself()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var slowGate = new TaskCompletionSource();
        receiver.Behave("slow", async (_, _) =>
        {
            // Holds for up to 5 s; the test releases it once it has seen every fast receiver get the message.
            await slowGate.Task.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
            return (200, null);
        });

        const int fast = 49;
        for (var i = 0; i < fast; i++)
            await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url($"r{i}") });
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("slow") });

        var push = server.PushAsync("fan out");
        await Eventually.TrueAsync(() => Enumerable.Range(0, fast).All(i => receiver.Delivered($"r{i}").Count == 1),
            "all 49 fast receivers got the message while the slow one is still held");
        Assert.False(slowGate.Task.IsCompleted);
        Assert.Empty(receiver.Delivered("slow"));

        slowGate.SetResult();
        var pushed = await push;
        Assert.Equal(50, pushed.GetProperty("total_webhooks").GetInt32());
        Assert.Equal(50, pushed.GetProperty("webhooks_notified").GetInt32());
        Assert.Single(receiver.Delivered("slow"));
    }

    [Fact]
    public async Task Webhooks_notified_counts_only_first_attempts_that_succeeded()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        receiver.Answer("broken", _ => 500);
        foreach (var path in new[] { "a", "b", "c", "broken" })
            await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url(path) });

        var pushed = await server.PushAsync("three of four");

        Assert.Equal(3, pushed.GetProperty("webhooks_notified").GetInt32());
        Assert.Equal(4, pushed.GetProperty("total_webhooks").GetInt32());
    }

    [Fact]
    public async Task A_failing_endpoint_does_not_hold_back_the_others()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            // Its retries wait far longer than the test, so it stays blocked while the others go on.
            ["Herald:Delivery:RetrySchedule:0"] = "01:00:00",
        });
        receiver.Answer("down", _ => 503);
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("down") });
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("up") });

        for (var i = 0; i < 20; i++)
            await server.PushAsync($"m{i}", wait: false);

        await Eventually.TrueAsync(() => receiver.Delivered("up").Count == 20, "the healthy endpoint got all 20 messages");
        Assert.Single(receiver.All("down"));
    }
}
