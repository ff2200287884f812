using System.Net.Http.Json;
using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Herald.Testing;
using Xunit.Abstractions;

namespace Herald.Cluster.Tests;

public sealed class ClusterDeliveryTests(ITestOutputHelper output)
{

    [Fact]
    public async Task Three_silos_and_two_gateways_deliver_every_push_in_order_to_every_receiver_and_to_sse_on_the_other_gateway()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var processes = await ClusterHarness.ReadyAsync(
            cluster.SiloAsync("silo-1"), cluster.SiloAsync("silo-2"), cluster.SiloAsync("silo-3"), cluster.GatewayAsync("gateway-a"), cluster.GatewayAsync("gateway-b"));
        var (a, b) = (processes[3], processes[4]);
        await ClusterHarness.ActiveAsync(a, "silo-1", "silo-2", "silo-3", "gateway-b");

        const int receivers = 20, pushes = 200;
        await ClusterHarness.RegisterReceiversAsync(b, receiver, receivers);
        await using var listener = await SseClient.ConnectAsync(b.BaseAddress);
        await listener.NextAsync();

        var ids = new List<long>();
        for (var i = 0; i < pushes; i++)
        {
            using var response = await a.Client.PostAsJsonAsync("/api/push", new { message = $"m{i}", wait = false });
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        var streamed = await listener.NextMessagesAsync(pushes);
        Assert.Equal(ids.Select(i => i.ToString()).ToArray(), streamed.Select(m => m.Id!).ToArray());
        await Eventually.TrueAsync(() => Enumerable.Range(0, receivers).All(r => receiver.Delivered($"r{r}").Count >= pushes),
            "every receiver got every push", TimeSpan.FromSeconds(120));
        for (var r = 0; r < receivers; r++)
        {
            // In order per receiver, and once each: no silo failed, so nothing is redelivered.
            Assert.Equal(ids, receiver.Delivered($"r{r}").Select(r => r.MessageId).ToArray());
        }

        // The gateways host no webhook grains, so every delivery was made by a silo: their reports carry the totals.
        await Eventually.TrueAsync(async () =>
        {
            var rates = await b.Client.GetFromJsonAsync<JsonElement>("/api/stats/rates");
            var samples = rates.GetProperty("samples").EnumerateArray().ToArray();
            return samples.Sum(s => s.GetProperty("deliveries").GetInt64()) == receivers * pushes &&
                   samples.Sum(s => s.GetProperty("pushes").GetInt64()) == pushes;
        }, "the other gateway's rate history counts every push and every silo's deliveries");

        var snapshot = await ClusterHarness.ClusterAsync(a);
        output.WriteLine(snapshot.GetRawText());
        Assert.Equal(5, snapshot.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active"));
    }
}
