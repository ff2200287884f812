using Herald.Gateway.Tests.Infrastructure;
using Herald.Grains.Telemetry;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Gateway.Tests;

/// <summary>Webhook grains are Orleans grains: collected when idle, brought back by a wake or by their retry reminder.</summary>
public sealed class GrainLifecycleTests
{
    private static readonly Dictionary<string, string?> QuickCollection = new()
    {
        ["Herald:Cluster:IdleGrainAge"] = "00:00:01",
        ["Herald:Cluster:CollectionQuantum"] = "00:00:00.200",
        ["Herald:Cluster:MinimumReminderPeriod"] = "00:00:00.500",
        ["Herald:Delivery:ReminderPeriod"] = "00:00:00.500",
        ["Herald:Delivery:StateWriteDelay"] = "00:00:00.050",
    };

    [Fact]
    public async Task Idle_webhook_grains_are_deactivated_and_resume_from_their_cursor_when_woken()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(QuickCollection);
        var grains = server.Services.GetRequiredService<WebhookGrainCounters>();
        var id = await server.CreateEndpointAsync(receiver.Url("idle"));

        await server.PushAsync("first");
        await Eventually.TrueAsync(() => grains.ActiveGrains == 0, "the idle webhook grain was deactivated");

        await server.PushAsync("second");
        await Eventually.TrueAsync(() => receiver.Delivered("idle").Count == 2, "the reactivated grain delivered the next message");
        Assert.Equal(["first", "second"], receiver.Delivered("idle").Select(r => r.Message).ToArray());
        Assert.Equal(2, receiver.All("idle").Count);
        await server.StatusWhenAsync(id, s => s.GetProperty("cursor").GetInt64() == 2, "the cursor moved past the second message");
    }

    [Fact]
    public async Task A_grain_collected_while_it_waits_out_a_retry_is_brought_back_by_its_reminder()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // An attempt keeps its grain active for twice the attempt timeout; the retry is due well after that.
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>(QuickCollection)
        {
            ["Herald:Delivery:Timeout"] = "00:00:01",
            ["Herald:Delivery:RetrySchedule:0"] = "00:00:05",
        });
        var grains = server.Services.GetRequiredService<WebhookGrainCounters>();
        receiver.Answer("later", call => call == 1 ? 503 : 200);
        var id = await server.CreateEndpointAsync(receiver.Url("later"));

        var pushed = await server.PushAsync("retried after a nap");

        Assert.Equal(0, pushed.GetProperty("webhooks_notified").GetInt32());
        await Eventually.TrueAsync(() => grains.ActiveGrains == 0, "the grain was collected while its retry was pending");
        Assert.Single(receiver.All("later"));
        await Eventually.TrueAsync(() => receiver.Delivered("later").Count == 1, "the reminder reactivated the grain, which made the retry");
        var attempts = (await server.AttemptsAsync(id, 2)).GetProperty("attempts").EnumerateArray().Reverse().ToArray();
        Assert.Equal(["retrying", "succeeded"], attempts.Select(a => a.GetProperty("outcome").GetString()!).ToArray());
    }
}
