using System.Net.Http.Json;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary>A push that waits for first attempts waits only for the endpoints that can make one now.</summary>
public sealed class PushWaitTests
{
    [Fact]
    public async Task An_endpoint_still_delivering_an_earlier_message_counts_as_not_notified_at_once()
    {
        // A ten-minute attempt timeout: a push that waited for the hung receiver would not answer within the test.
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Delivery:Timeout"] = "00:10:00" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Behave("hung", async (_, call) =>
        {
            if (call == 1)
            {
                arrived.TrySetResult();
                await release.Task;
            }

            return (200, null);
        });
        await server.CreateEndpointAsync(receiver.Url("hung"));
        var healthy = await server.CreateEndpointAsync(receiver.Url("healthy"));

        try
        {
            var earlier = (await server.PushAsync("earlier", wait: false)).GetProperty("id").GetInt64();
            await arrived.Task.WaitAsync(Eventually.Timeout);
            // The healthy endpoint must be done with the earlier message too, or it is rightly busy with it.
            await server.StatusWhenAsync(healthy, s => s.GetProperty("delivered").GetInt64() == 1, "the healthy endpoint delivered the earlier message");

            using var impatient = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Eventually.Timeout };
            using var response = await impatient.PostAsJsonAsync("/api/push", new { message = "later", wait = true });
            var later = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, later.GetProperty("total_webhooks").GetInt32());
            Assert.Equal(1, later.GetProperty("webhooks_notified").GetInt32());

            release.TrySetResult();
            await Eventually.TrueAsync(() => receiver.Delivered("hung").Count == 2, "the hung receiver got both, once it answered");
            Assert.Equal([earlier, later.GetProperty("id").GetInt64()], receiver.Delivered("hung").Select(r => r.MessageId).ToArray());
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
