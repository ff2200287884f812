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

    [Fact]
    public async Task Secrets_one_gateway_seals_in_postgres_sign_what_a_silo_delivers_and_plain_rows_are_sealed_when_a_process_starts()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1"), cluster.GatewayAsync("gateway-a"));
        var a = processes[1];
        await ClusterHarness.ActiveAsync(a, "silo-1");

        string NewSecret() => "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var (sealedSecret, plainSecret) = (NewSecret(), NewSecret());
        using (var created = await a.Client.PostAsJsonAsync("/api/endpoints",
                   new { url = receiver.Url("sealed"), secret = sealedSecret, headers = new Dictionary<string, string> { ["Authorization"] = "Bearer token-sealed" } }))
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);

        // A row as a Herald before sealing wrote it.
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(cluster.ConnectionString);
        await using (var insert = dataSource.CreateCommand(
                         "INSERT INTO herald_endpoints (id, url, topics, secret, headers, created_at, start_after_seq, enabled) " +
                         "VALUES ('ep_plain', $1, '{}', $2, '{\"Authorization\": \"Bearer token-plain\"}', now(), 0, true)"))
        {
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = receiver.Url("plain") });
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = plainSecret });
            await insert.ExecuteNonQueryAsync();
        }

        var b = (await ClusterHarness.ReadyAsync(cluster.GatewayAsync("gateway-b")))[0];
        await using (var read = dataSource.CreateCommand("SELECT id, secret, headers::text FROM herald_endpoints"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            var rows = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                Assert.StartsWith("enc:dp1:", reader.GetString(1));
                Assert.DoesNotContain("token-", reader.GetString(2), StringComparison.Ordinal);
            }

            Assert.Equal(2, rows);
        }

        using (var pushed = await b.Client.PostAsJsonAsync("/api/push", new { message = "signed across processes" }))
            pushed.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => receiver.Delivered("sealed").Count == 1 && receiver.Delivered("plain").Count == 1, "the silo delivered to both endpoints");
        Assert.True(StandardWebhooks.Verifies(sealedSecret, receiver.Delivered("sealed")[0]), "the secret sealed by gateway-a signs the silo's delivery");
        Assert.True(StandardWebhooks.Verifies(plainSecret, receiver.Delivered("plain")[0]), "the secret gateway-b sealed at start signs the silo's delivery");
        Assert.Equal("Bearer token-sealed", receiver.Delivered("sealed")[0].Header("authorization"));
        Assert.Equal("Bearer token-plain", receiver.Delivered("plain")[0].Header("authorization"));
        output.WriteLine($"key ring rows: {await KeyRingRowsAsync(dataSource)}");
    }

    private static async Task<long> KeyRingRowsAsync(Npgsql.NpgsqlDataSource dataSource)
    {
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM herald_key_ring");
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
