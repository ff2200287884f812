using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Herald.Testing;
using Xunit.Abstractions;

namespace Herald.Cluster.Tests;

public sealed class FailoverTests(ITestOutputHelper output)
{

    [Fact]
    public async Task A_silo_killed_with_sigkill_mid_stream_loses_no_message_and_duplicates_keep_their_webhook_id()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1"), cluster.SiloAsync("silo-2"), cluster.SiloAsync("silo-3"), cluster.GatewayAsync("gateway"));
        var gateway = processes[3];
        await ClusterHarness.BalancedAsync(gateway, "silo-1", "silo-2", "silo-3");

        const int receivers = 10, pushes = 300;
        await ClusterHarness.RegisterReceiversAsync(gateway, receiver, receivers);

        var victim = processes[1];
        var victimPartitions = (await ClusterHarness.OwnersAsync(gateway)).Where(p => p.Value == victim.Name).Select(p => p.Key).ToArray();
        var accepted = new List<long>();
        var killedAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < pushes; i++)
        {
            if (i == pushes / 3)
            {
                await victim.KillAsync();
                killedAt = clock.Elapsed;
            }

            using var response = await gateway.Client.PostAsJsonAsync("/api/push", new { message = $"m{i}", wait = false });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        await Eventually.TrueAsync(async () =>
        {
            var owners = await ClusterHarness.OwnersAsync(gateway);
            return victimPartitions.All(p => owners[p] is { } owner && owner != victim.Name);
        }, "the killed silo's partitions moved to the survivors", TimeSpan.FromSeconds(30));
        var failover = clock.Elapsed - killedAt;

        await Eventually.TrueAsync(() => Enumerable.Range(0, receivers).All(r => receiver.Delivered($"r{r}").Select(r => r.MessageId).ToHashSet().IsSupersetOf(accepted)),
            "every receiver got every accepted message at least once", TimeSpan.FromSeconds(120));

        var duplicates = 0;
        for (var r = 0; r < receivers; r++)
        {
            var delivered = receiver.Delivered($"r{r}");
            foreach (var group in delivered.GroupBy(r => r.MessageId))
            {
                Assert.Single(group.Select(d => d.Header("webhook-id")).Distinct());
                Assert.Equal($"msg_{group.Key}", group.First().Header("webhook-id"));
                duplicates += group.Count() - 1;
            }

            // Per receiver, first deliveries still follow log order.
            var firsts = delivered.Select(r => r.MessageId).Distinct().ToArray();
            Assert.Equal(firsts.Order().ToArray(), firsts);
        }

        output.WriteLine($"failover: the killed silo's {victimPartitions.Length} partitions were re-owned within {failover.TotalSeconds:0.00} s of the kill (lease {3} s, heartbeat 0.25 s)");
        output.WriteLine($"duplicates: {duplicates} redeliveries across {receivers} receivers x {pushes} messages");
        Console.WriteLine($"[failover] {failover.TotalSeconds:0.00} s, duplicates {duplicates}");
    }
}
