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
        await ClusterHarness.ActiveAsync(gateway, "silo-1", "silo-2", "silo-3");

        const int receivers = 10, pushes = 300;
        await ClusterHarness.RegisterReceiversAsync(gateway, receiver, receivers);

        // A first message activates the grains, spread over the silos; the victim is a silo that holds some.
        (await gateway.Client.PostAsJsonAsync("/api/push", new { message = "warm up" })).EnsureSuccessStatusCode();
        Dictionary<string, int> grains = [];
        await Eventually.TrueAsync(async () => (grains = await ClusterHarness.WebhookGrainsAsync(gateway)).Values.Sum() == receivers, "every endpoint's grain is active");
        var victim = processes.Take(3).First(p => grains.GetValueOrDefault(p.Name) > 0);

        var accepted = new List<long>();
        Task<TimeSpan>? declaredDead = null;
        for (var i = 0; i < pushes; i++)
        {
            if (i == pushes / 3)
            {
                await victim.KillAsync();
                declaredDead = TimeUntilDeadAsync(gateway, victim.Name);
            }

            using var response = await gateway.Client.PostAsJsonAsync("/api/push", new { message = $"m{i}", wait = false });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        var deadAfter = await declaredDead!;

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

        output.WriteLine($"failover: {victim.Name} (hosting {grains[victim.Name]} of {receivers} grains) was declared dead {deadAfter.TotalSeconds:0.00} s after the kill");
        output.WriteLine($"duplicates: {duplicates} redeliveries across {receivers} receivers x {pushes} messages");
        Console.WriteLine($"[failover] declared dead after {deadAfter.TotalSeconds:0.00} s, duplicates {duplicates}");
    }

    [Fact]
    public async Task Pushes_are_answered_while_silos_are_killed_with_no_500_and_every_503_truthful()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1"), cluster.SiloAsync("silo-2"), cluster.SiloAsync("silo-3"), cluster.GatewayAsync("gateway"));
        var gateway = processes[3];
        await ClusterHarness.ActiveAsync(gateway, "silo-1", "silo-2", "silo-3");
        await ClusterHarness.RegisterReceiversAsync(gateway, receiver, 3);
        (await gateway.Client.PostAsJsonAsync("/api/push", new { message = "warm up" })).EnsureSuccessStatusCode();

        // Whichever silos held the cluster-wide grains (the stats grain, the sweep), two of three die under the pushes.
        var results = new List<(int Status, TimeSpan Took, long? Id, string? Key, string Message)>();
        var clock = Stopwatch.StartNew();
        var killed = false;
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(40));
        for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(20) && await pace.WaitForNextTickAsync(); i++)
        {
            if (!killed && clock.Elapsed > TimeSpan.FromSeconds(3))
            {
                await Task.WhenAll(processes[0].KillAsync(), processes[1].KillAsync());
                killed = true;
            }

            var took = Stopwatch.StartNew();
            var message = $"m{i}";
            using var response = await gateway.Client.PostAsJsonAsync("/api/push", new { message, wait = false });
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            results.Add(((int)response.StatusCode, took.Elapsed,
                response.IsSuccessStatusCode ? body.GetProperty("id").GetInt64() : null,
                body.TryGetProperty("idempotency_key", out var key) ? key.GetString() : null, message));
        }

        var slowest = results.Max(r => r.Took);
        output.WriteLine($"{results.Count} pushes: {string.Join(", ", results.GroupBy(r => r.Status).Select(g => $"{g.Count()} x {g.Key}"))}; slowest {slowest.TotalSeconds:0.00} s");
        Assert.All(results, r => Assert.True(r.Status is 200 or 202 or 503, $"a push answered {r.Status}"));
        Assert.True(slowest < TimeSpan.FromSeconds(30), $"the slowest push took {slowest.TotalSeconds:0.0} s");

        // A 503 said nothing was appended: pushing again under its key appends it now, rather than finding it there.
        foreach (var (_, _, _, key, message) in results.Where(r => r.Status == 503))
        {
            Assert.NotNull(key);
            using var again = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = JsonContent.Create(new { message, wait = false }) };
            again.Headers.Add("Idempotency-Key", key);
            using var answered = await gateway.Client.SendAsync(again);
            answered.EnsureSuccessStatusCode();
            Assert.False((await answered.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("duplicate", out _), $"the push refused under {key} was in the log after all");
        }

        var accepted = results.Where(r => r.Id is not null).Select(r => r.Id!.Value).ToHashSet();
        await Eventually.TrueAsync(() => Enumerable.Range(0, 3).All(r => receiver.Delivered($"r{r}").Select(d => d.MessageId).ToHashSet().IsSupersetOf(accepted)),
            "every accepted push reached every receiver through the surviving silo", TimeSpan.FromSeconds(120));
    }

    /// <summary>Watches the gateway's cluster view from the kill on, while the pushes go on.</summary>
    private static async Task<TimeSpan> TimeUntilDeadAsync(HeraldProcess gateway, string silo)
    {
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => (await ClusterHarness.StatusesAsync(gateway)).GetValueOrDefault(silo) == "dead",
            "the killed silo was declared dead", TimeSpan.FromSeconds(30));
        return clock.Elapsed;
    }
}
