using System.Diagnostics;
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
        await ClusterHarness.ActiveAsync(gateway, "silo-1", "silo-2");
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
    public async Task Processes_started_while_postgres_is_down_wait_for_it_restart_a_start_it_breaks_and_exit_0_on_SIGTERM_at_any_moment()
    {
        await using var postgres = await PostgresServer.StartDedicatedAsync();
        await using var cluster = await ClusterHarness.CreateAsync(postgres);
        await using var receiver = await WebhookReceiver.StartAsync();
        await postgres.StopAsync(immediate: true);

        // Started during the outage: each waits for the database; one stopped while it waits ends cleanly.
        var silo = cluster.Launch("silo-1", "Silo");
        var gateway = cluster.Launch("gateway", "Gateway");
        var stoppedWaiting = cluster.Launch("silo-2", "Silo");
        foreach (var process in new[] { silo, gateway, stoppedWaiting })
            await process.SaidAsync("PostgreSQL is unreachable", TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        await stoppedWaiting.StopAsync();
        output.WriteLine($"a silo waiting for PostgreSQL stopped on SIGTERM in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(0, stoppedWaiting.ExitCode);

        await postgres.StartAgainAsync();
        foreach (var process in new[] { silo, gateway })
        {
            await process.ListeningAsync(TimeSpan.FromSeconds(60));
            await process.WaitReadyAsync();
        }

        await ClusterHarness.ActiveAsync(gateway, "silo-1", "gateway");
        await ClusterHarness.RegisterReceiversAsync(gateway, receiver, 1);
        var first = await PushAsync(gateway, "after the outage");

        // PostgreSQL goes away in the middle of a start, once Herald's own start has reached it (its notification
        // connection is open) and Orleans is setting up its storage and joining: the process starts again and joins.
        var broken = cluster.Launch("silo-3", "Silo");
        await broken.SaidAsync("Notification connection established", TimeSpan.FromSeconds(60));
        await postgres.StopAsync(immediate: true);
        await postgres.StartAgainAsync();
        await broken.ListeningAsync(TimeSpan.FromSeconds(60));
        await broken.WaitReadyAsync();
        await ClusterHarness.ActiveAsync(gateway, "silo-1", "silo-3");
        output.WriteLine(broken.Output.Contains("starting again", StringComparison.Ordinal)
            ? "the outage broke silo-3's start, which started again"
            : "silo-3's start rode out the outage");
        var second = await PushAsync(gateway, "after the second outage");
        await Eventually.TrueAsync(() => receiver.Delivered("r0").Select(r => r.MessageId).ToHashSet().IsSupersetOf([first, second]),
            "both pushes reached the receiver", TimeSpan.FromSeconds(60));

        // A SIGTERM as a process starts, before it listens: a clean stop too.
        var stoppedStarting = cluster.Launch("silo-4", "Silo");
        await stoppedStarting.SaidAsync("Notification connection established", TimeSpan.FromSeconds(60));
        await stoppedStarting.StopAsync();
        Assert.Equal(0, stoppedStarting.ExitCode);

        foreach (var process in new[] { silo, gateway, broken })
        {
            await process.StopAsync();
            Assert.Equal(0, process.ExitCode);
        }
    }

    private static async Task<long> PushAsync(HeraldProcess gateway, string message)
    {
        using var response = await gateway.Client.PostAsJsonAsync("/api/push", new { message, wait = false });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task The_cluster_view_reflects_joins_clean_stops_and_kills()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var gateway = await cluster.GatewayAsync("gateway");
        var first = await cluster.SiloAsync("silo-1");
        await gateway.WaitReadyAsync();
        await first.WaitReadyAsync();

        async Task<string?> StatusAsync(string id) => (await ClusterHarness.StatusesAsync(gateway)).GetValueOrDefault(id);

        await ClusterHarness.ActiveAsync(gateway, "gateway", "silo-1");
        var view = await ClusterHarness.ClusterAsync(gateway);
        Assert.Equal("cluster", view.GetProperty("mode").GetString());
        Assert.Equal("gateway", view.GetProperty("self").GetString());
        var gatewayRow = view.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "gateway");
        Assert.Equal("gateway", gatewayRow.GetProperty("role").GetString());
        Assert.StartsWith("127.0.0.1:", gatewayRow.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.False(gatewayRow.GetProperty("hosts_webhooks").GetBoolean());
        Assert.True(view.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "silo-1").GetProperty("hosts_webhooks").GetBoolean());

        var second = await cluster.SiloAsync("silo-2");
        await second.WaitReadyAsync();
        await ClusterHarness.ActiveAsync(gateway, "silo-1", "silo-2");

        // Orleans lists a silo that left, cleanly or not, as dead.
        await second.StopAsync();
        await Eventually.TrueAsync(async () => await StatusAsync("silo-2") == "dead", "a silo that stopped cleanly is no longer a member");

        var third = await cluster.SiloAsync("silo-3");
        await third.WaitReadyAsync();
        await ClusterHarness.ActiveAsync(gateway, "silo-1", "silo-3");
        var clock = Stopwatch.StartNew();
        await third.KillAsync();
        await Eventually.TrueAsync(async () => await StatusAsync("silo-3") == "dead", "a killed silo is found dead");
        output.WriteLine($"a silo killed with SIGKILL was declared dead after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal("active", await StatusAsync("silo-1"));
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
            Assert.True(reader.GetInt64(0) >= 6);
        }

        // Orleans's membership table, through Herald's schema: five active silos (status 3).
        await using var active = dataSource.CreateCommand("SELECT count(*) FROM orleans_membership WHERE status = 3");
        Assert.Equal(5L, await active.ExecuteScalarAsync());
    }
}
