using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Herald.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Herald.Cluster.Tests;

public sealed class ResilienceTests(ITestOutputHelper output)
{

    [Fact]
    public async Task A_postgres_restart_mid_load_loses_no_push_that_got_a_2xx()
    {
        await using var postgres = await PostgresServer.StartDedicatedAsync();
        await using var cluster = await ClusterHarness.CreateAsync(postgres);
        await using var receiver = await WebhookReceiver.StartAsync();
        var gateway = (await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1"), cluster.SiloAsync("silo-2"), cluster.GatewayAsync("gateway")))[2];
        await ClusterHarness.BalancedAsync(gateway, "silo-1", "silo-2");
        await ClusterHarness.RegisterReceiversAsync(gateway, receiver, 5);

        var accepted = new List<long>();
        var refused = 0;
        async Task PushAsync(int i)
        {
            try
            {
                using var response = await gateway.Client.PostAsJsonAsync("/api/push", new { message = $"m{i}", wait = false });
                if (response.IsSuccessStatusCode)
                    accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    refused++;
                }
            }
            catch (HttpRequestException)
            {
                refused++;
            }
        }

        for (var i = 0; i < 100; i++)
            await PushAsync(i);
        await postgres.StopAsync();
        for (var i = 100; i < 120; i++)
            await PushAsync(i);
        await postgres.StartAgainAsync();
        await gateway.WaitReadyAsync();
        for (var i = 120; i < 220; i++)
            await PushAsync(i);

        output.WriteLine($"accepted {accepted.Count}, refused with 503 while PostgreSQL was down: {refused}");
        Assert.True(refused >= 20, "every push made while the database was down was refused");
        await Eventually.TrueAsync(() => Enumerable.Range(0, 5).All(r => receiver.Delivered($"r{r}").Select(r => r.MessageId).ToHashSet().IsSupersetOf(accepted)),
            "every accepted push reached every receiver after the restart", TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task The_cluster_view_reflects_joins_clean_leaves_and_deaths()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var gateway = await cluster.GatewayAsync("gateway");
        var first = await cluster.SiloAsync("silo-1");
        await gateway.WaitReadyAsync();
        await first.WaitReadyAsync();

        async Task<string?> StatusAsync(string id) =>
            (await ClusterHarness.ClusterAsync(gateway)).GetProperty("silos").EnumerateArray()
                .Where(s => s.GetProperty("id").GetString() == id).Select(s => s.GetProperty("status").GetString()).FirstOrDefault();

        var view = await ClusterHarness.ClusterAsync(gateway);
        Assert.Equal("cluster", view.GetProperty("mode").GetString());
        Assert.Equal("gateway", view.GetProperty("self").GetString());
        var gatewayRow = view.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "gateway");
        Assert.Equal("gateway", gatewayRow.GetProperty("role").GetString());
        Assert.Equal(gateway.BaseAddress.ToString().TrimEnd('/'), gatewayRow.GetProperty("address").GetString());
        Assert.False(gatewayRow.GetProperty("owns_partitions").GetBoolean());
        await ClusterHarness.BalancedAsync(gateway, "silo-1");

        var second = await cluster.SiloAsync("silo-2");
        await second.WaitReadyAsync();
        Assert.Equal("active", await StatusAsync("silo-2"));
        await ClusterHarness.BalancedAsync(gateway, "silo-1", "silo-2");

        await second.StopAsync();
        await Eventually.TrueAsync(async () => await StatusAsync("silo-2") == "left", "a silo that stopped cleanly is listed as left");
        await ClusterHarness.BalancedAsync(gateway, "silo-1");

        var third = await cluster.SiloAsync("silo-3");
        await third.WaitReadyAsync();
        await ClusterHarness.BalancedAsync(gateway, "silo-1", "silo-3");
        await third.KillAsync();
        await Eventually.TrueAsync(async () => await StatusAsync("silo-3") == "dead", "a killed silo is found dead");
        await ClusterHarness.BalancedAsync(gateway, "silo-1");
    }

    [Fact]
    public async Task Five_processes_starting_at_once_on_a_fresh_database_all_migrate_and_join()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        await ClusterHarness.ReadyAsync(Enumerable.Range(1, 5).Select(i => cluster.SiloAsync($"silo-{i}")).ToArray());

        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString);
        await using var versions = dataSource.CreateCommand("SELECT count(*), count(DISTINCT version) FROM herald_schema_version");
        await using (var reader = await versions.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
            Assert.True(reader.GetInt64(0) >= 2);
        }

        await using var active = dataSource.CreateCommand("SELECT count(*) FROM herald_silos WHERE status = 'active'");
        Assert.Equal(5L, await active.ExecuteScalarAsync());
    }
}
