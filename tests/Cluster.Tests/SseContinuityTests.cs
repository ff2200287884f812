using System.Net.Http.Json;
using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Herald.Testing;
using Xunit.Abstractions;

namespace Herald.Cluster.Tests;

/// <summary>
/// SSE's promise under concurrency: a listener on any gateway gets every id in the log, in order, once, while pushes
/// are appended through several gateways at once and the hubs' stream announcements race their own reads of the log.
/// </summary>
public sealed class SseContinuityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Listeners_on_both_gateways_get_every_id_in_order_while_both_gateways_push_at_once()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1"), cluster.GatewayAsync("gateway-a"), cluster.GatewayAsync("gateway-b"));
        var gateways = processes[1..];
        await ClusterHarness.ActiveAsync(gateways[0], "silo-1", "gateway-b");

        var listeners = new List<(string Gateway, SseClient Client)>();
        foreach (var gateway in gateways)
        {
            for (var i = 0; i < 2; i++)
            {
                var client = await SseClient.ConnectAsync(gateway.BaseAddress);
                await client.NextAsync();
                listeners.Add((gateway.Name, client));
            }
        }

        try
        {
            // Steady load from both gateways at once, four pushers each: appends from two processes interleave, and
            // each hub's stream announcements keep racing its own reads of the log.
            var ids = new System.Collections.Concurrent.ConcurrentBag<long>();
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(12);
            var pushers = gateways.SelectMany(gateway => Enumerable.Range(0, 4).Select(async p =>
            {
                using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
                for (var i = 0; DateTime.UtcNow < until && await pace.WaitForNextTickAsync(); i++)
                {
                    using var response = await gateway.Client.PostAsJsonAsync("/api/push", new { message = $"{gateway.Name}-{p}-{i}", wait = false });
                    response.EnsureSuccessStatusCode();
                    ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
                }
            }));
            await Task.WhenAll(pushers);

            var expected = ids.Order().ToArray();
            foreach (var (gateway, client) in listeners)
            {
                var received = new List<long>();
                var resets = 0;
                // Up to the last id: a listener that skipped some still gets it, and the comparison below names them.
                while (received.Count == 0 || received[^1] < expected[^1])
                {
                    var next = await client.NextAsync();
                    if (next.Event == "reset")
                        resets++;
                    else if (next.Event == "message" && next.Id is not null)
                        received.Add(long.Parse(next.Id, System.Globalization.CultureInfo.InvariantCulture));
                }

                var missing = expected.Except(received).ToArray();
                output.WriteLine($"{gateway}: {received.Count} frames, {missing.Length} missing, {resets} resets");
                Assert.Empty(missing);
                Assert.Equal(0, resets);
                Assert.Equal(expected, received.ToArray());
            }
        }
        finally
        {
            foreach (var (_, client) in listeners)
                await client.DisposeAsync();
        }
    }
}
