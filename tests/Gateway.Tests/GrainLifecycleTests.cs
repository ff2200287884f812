using Herald.Testing;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Silo.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Gateway.Tests;

public sealed class GrainLifecycleTests
{
    private static readonly Dictionary<string, string?> QuickCollection = new()
    {
        ["Herald:Grains:IdleTimeout"] = "00:00:00.100",
        ["Herald:Grains:CollectionInterval"] = "00:00:00.020",
    };

    [Fact]
    public async Task Idle_webhook_grains_are_deactivated_and_resume_from_their_cursor_when_woken()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(QuickCollection);
        var catalog = server.Services.GetRequiredService<GrainCatalog>();
        var id = await server.CreateEndpointAsync(receiver.Url("idle"));

        await server.PushAsync("first");
        await Eventually.TrueAsync(() => catalog.Count == 0, "every grain was deactivated while idle");

        await server.PushAsync("second");
        await Eventually.TrueAsync(() => receiver.Delivered("idle").Count == 2, "the reactivated grain delivered the next message");
        Assert.Equal(["first", "second"], receiver.Delivered("idle").Select(r => r.Message).ToArray());
        await server.StatusWhenAsync(id, s => s.GetProperty("cursor").GetInt64() == 2, "the cursor moved past the second message");
    }

    [Fact]
    public async Task A_grain_waiting_out_a_retry_stays_active()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>(QuickCollection)
        {
            ["Herald:Delivery:RetrySchedule:0"] = "01:00:00",
        });
        var catalog = server.Services.GetRequiredService<GrainCatalog>();
        receiver.Answer("down", _ => 500);
        var id = await server.CreateEndpointAsync(receiver.Url("down"));

        await server.PushAsync("will retry");

        // The broadcaster goes idle and is collected; the webhook grain holds its retry timer and is kept.
        await Eventually.TrueAsync(() => catalog.Count == 1, "only the retrying webhook grain is still active");
        Assert.Contains(catalog.Activations, a => a.Id.Key == id);
    }
}
