using System.Net;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary>The gateway on PostgreSQL (cluster mode), on a real server: the same behaviours, now durable.</summary>
public sealed class ClusterModeTests
{
    private static async Task<Dictionary<string, string?>> FreshDatabaseAsync() =>
        HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync());

    [Fact]
    public async Task Pushes_reach_webhooks_and_listeners_and_retries_are_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(await FreshDatabaseAsync());
        receiver.Answer("flaky", call => call <= 3 ? 500 : 200);
        foreach (var path in new[] { "a", "b" })
            await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url(path) });
        var flaky = await server.CreateEndpointAsync(receiver.Url("flaky"));
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress);
        await listener.NextAsync();

        var pushed = await server.PushAsync("durable hello");

        Assert.Equal(3, pushed.GetProperty("total_webhooks").GetInt32());
        Assert.Equal(2, pushed.GetProperty("webhooks_notified").GetInt32());
        Assert.Equal(1, pushed.GetProperty("clients").GetInt32());
        var message = (await listener.NextMessagesAsync(1))[0];
        Assert.Equal(pushed.GetProperty("id").GetInt64().ToString(), message.Id);
        Assert.EndsWith("] durable hello", message.Data, StringComparison.Ordinal);

        await Eventually.TrueAsync(() => receiver.Delivered("flaky").Count == 1, "the flaky endpoint got it on the fourth attempt");
        var attempts = await server.AttemptsAsync(flaky, 4);
        Assert.Equal(4, attempts.GetProperty("total").GetInt32());
        Assert.Equal(["succeeded", "retrying", "retrying", "retrying"],
            attempts.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("outcome").GetString()!).ToArray());
        Assert.Equal(3, (await server.GetJsonAsync("/api/webhooks")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Accepted_messages_endpoints_and_the_stream_survive_a_restart()
    {
        // The retry is due after the first process has stopped, so only the restarted one can make it.
        var settings = await FreshDatabaseAsync();
        settings["Herald:Delivery:RetrySchedule:0"] = "00:00:02";
        await using var receiver = await WebhookReceiver.StartAsync();
        var up = false;
        receiver.Answer("later", _ => Volatile.Read(ref up) ? 200 : 503);

        long id;
        string endpointId;
        await using (var first = await HeraldServer.StartAsync(settings))
        {
            endpointId = await first.CreateEndpointAsync(receiver.Url("later"));
            var pushed = await first.PushAsync("accepted before the restart");
            Assert.Equal(0, pushed.GetProperty("webhooks_notified").GetInt32());
            id = pushed.GetProperty("id").GetInt64();
        }

        Volatile.Write(ref up, true);
        await using var second = await HeraldServer.StartAsync(settings);

        Assert.Equal([receiver.Url("later")], (await second.GetJsonAsync("/api/webhooks")).GetProperty("webhooks").EnumerateArray().Select(u => u.GetString()!).ToArray());
        await using var listener = await SseClient.ConnectAsync(second.BaseAddress, lastEventId: "0");
        await listener.NextAsync();
        Assert.Equal(id.ToString(), (await listener.NextMessagesAsync(1))[0].Id);

        await Eventually.TrueAsync(() => receiver.Delivered("later").Count == 1, "the restarted process made the retry that was scheduled before the restart");
        Assert.Equal("accepted before the restart", receiver.Delivered("later")[0].Message);
        var attempts = (await second.AttemptsAsync(endpointId, 2)).GetProperty("attempts").EnumerateArray().Reverse().ToArray();
        Assert.Equal([1, 2], attempts.Select(a => a.GetProperty("attempt").GetInt32()).ToArray());
        Assert.Equal(["retrying", "succeeded"], attempts.Select(a => a.GetProperty("outcome").GetString()!).ToArray());
    }

    [Fact]
    public async Task Two_gateways_on_one_database_form_one_cluster_spread_the_webhook_grains_and_deliver_each_message_once()
    {
        const int Endpoints = 16;
        var settings = await FreshDatabaseAsync();
        settings.Remove("Herald:Cluster:OrleansDashboard");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var a = await HeraldServer.StartAsync(new Dictionary<string, string?>(settings) { ["Herald:Cluster:SiloName"] = "a" });
        var b = await HeraldServer.StartAsync(new Dictionary<string, string?>(settings) { ["Herald:Cluster:SiloName"] = "b" });
        try
        {
            await Eventually.TrueAsync(async () => (await a.GetJsonAsync("/api/cluster")).GetProperty("silos").EnumerateArray()
                .Count(s => s.GetProperty("status").GetString() == "active") == 2, "both gateways are active members of one cluster");

            // Endpoints registered through either gateway; their grains are placed on either by a hash of their id.
            for (var i = 0; i < Endpoints; i++)
                await (i % 2 == 0 ? a : b).PostJsonAsync("/api/register", new { webhook_url = receiver.Url($"r{i}") });
            await using var listener = await SseClient.ConnectAsync(b.BaseAddress);
            await listener.NextAsync();

            // Another gateway's listeners are counted from its reports.
            await Eventually.TrueAsync(async () => (await a.GetJsonAsync("/api/cluster")).GetProperty("sse_connections").GetInt32() == 1,
                "gateway a sees gateway b's listener");
            var pushed = await a.PushAsync("through a");
            Assert.Equal(Endpoints, pushed.GetProperty("total_webhooks").GetInt32());
            Assert.Equal(Endpoints, pushed.GetProperty("webhooks_notified").GetInt32());
            Assert.Equal(1, pushed.GetProperty("clients").GetInt32());
            Assert.Equal(pushed.GetProperty("id").GetInt64().ToString(), (await listener.NextMessagesAsync(1))[0].Id);
            await Eventually.TrueAsync(() => Enumerable.Range(0, Endpoints).All(i => receiver.Delivered($"r{i}").Count == 1), "every endpoint got the message");

            await Eventually.TrueAsync(async () =>
            {
                var grains = (await a.GetJsonAsync("/api/cluster")).GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("webhook_grains").GetInt32()).ToArray();
                return grains.Sum() == Endpoints && grains.All(g => g > 0);
            }, "the webhook grains are spread over both silos");

            // Orleans's dashboard is on in a cluster by default, and any gateway shows every silo in it.
            await Eventually.TrueAsync(
                async () => (await b.GetJsonAsync("/orleans/DashboardCounters")).GetProperty("totalActiveHostCount").GetInt32() == 2,
                "Orleans's dashboard counts both silos");

            // Management calls reach the grain wherever it lives.
            var endpoints = (await b.GetJsonAsync("/api/endpoints")).GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
            foreach (var id in endpoints)
                await b.PostJsonAsync($"/api/endpoints/{id}/replay", new { from_id = pushed.GetProperty("id").GetInt64() }, HttpStatusCode.Accepted);
            await Eventually.TrueAsync(() => Enumerable.Range(0, Endpoints).All(i => receiver.Delivered($"r{i}").Count == 2), "every endpoint got the replay");
        }
        finally
        {
            await b.DisposeAsync();
        }

        await Eventually.TrueAsync(async () => (await a.GetJsonAsync("/api/cluster")).GetProperty("silos").EnumerateArray()
            .Single(s => s.GetProperty("id").GetString() == "b").GetProperty("status").GetString() != "active", "the cluster saw b leave");
        await a.PushAsync("after b left");
        await Eventually.TrueAsync(() => Enumerable.Range(0, Endpoints).All(i => receiver.Delivered($"r{i}").Count == 3), "every endpoint got the message pushed after b left");
        Assert.All(Enumerable.Range(0, Endpoints), i => Assert.Equal(3, receiver.All($"r{i}").Count));
    }

    [Fact]
    public async Task Each_silos_storage_backlog_is_visible_in_the_cluster_view_of_any_gateway()
    {
        var settings = await FreshDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();

        // The grains live on the delivering process, whose writes linger a second before they commit.
        var delivering = new Dictionary<string, string?>(settings) { ["Herald:Postgres:WriteLinger"] = "00:00:01", ["Herald:Cluster:SiloName"] = "delivering" };
        await using var silo = await HeraldServer.StartAsync(delivering);
        await using var gateway = await HeraldServer.StartAsync(new Dictionary<string, string?>(settings) { ["Herald:Cluster:HostsWebhooks"] = "false" });
        for (var i = 0; i < 5; i++)
            await gateway.CreateEndpointAsync(receiver.Url($"r{i}"));

        int Backlog(JsonElement cluster) =>
            cluster.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "delivering").GetProperty("pending_storage_writes").GetInt32();
        for (var i = 0; i < 20; i++)
            await gateway.PushAsync($"m{i}", wait: false);

        await Eventually.TrueAsync(async () => Backlog(await gateway.GetJsonAsync("/api/cluster")) > 0, "the other gateway sees the delivering silo's backlog");
        await Eventually.TrueAsync(() => Enumerable.Range(0, 5).All(i => receiver.Delivered($"r{i}").Count == 20), "every message was delivered");
        await Eventually.TrueAsync(async () =>
        {
            var cluster = await gateway.GetJsonAsync("/api/cluster");
            return Backlog(cluster) == 0 && cluster.GetProperty("pending_storage_writes").GetInt32() == 0;
        }, "the backlog drained, as the cluster view shows");
    }

    [Fact]
    public async Task While_postgres_is_down_pushes_get_503_and_nothing_accepted_is_lost()
    {
        await using var postgres = await PostgresServer.StartDedicatedAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(HeraldServer.OnPostgres(await postgres.CreateDatabaseAsync()));
        await server.CreateEndpointAsync(receiver.Url("steady"));
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress);
        await listener.NextAsync();
        var before = await server.PushAsync("before the outage");

        await postgres.StopAsync();
        using var refused = await server.Client.PostAsync("/api/push", new StringContent("{\"message\":\"during the outage\"}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("PostgreSQL is unreachable", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter is not null);
        using var notReady = await server.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        using var alive = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        await postgres.StartAgainAsync();
        await Eventually.TrueAsync(async () => (await server.Client.GetAsync("/readyz")).IsSuccessStatusCode, "the gateway is ready again");
        var after = await server.PushAsync("after the outage");

        var seen = await listener.NextMessagesAsync(2);
        Assert.Equal([before.GetProperty("id").GetInt64().ToString(), after.GetProperty("id").GetInt64().ToString()], seen.Select(m => m.Id!).ToArray());
        await Eventually.TrueAsync(() => receiver.Delivered("steady").Count == 2, "both accepted messages were delivered");
        Assert.Equal(["before the outage", "after the outage"],
            receiver.Delivered("steady").Select(r => r.Message).ToArray());
    }

    [Fact]
    public async Task A_push_counts_only_the_listeners_its_topic_reaches_on_every_gateway()
    {
        var settings = await FreshDatabaseAsync();
        await using var a = await HeraldServer.StartAsync(new Dictionary<string, string?>(settings) { ["Herald:Cluster:SiloName"] = "a" });
        await using var b = await HeraldServer.StartAsync(new Dictionary<string, string?>(settings) { ["Herald:Cluster:SiloName"] = "b" });
        await using var everything = await SseClient.ConnectAsync(b.BaseAddress);
        await using var orders = await SseClient.ConnectAsync(b.BaseAddress, "/stream?topic=orders.*");
        await using var local = await SseClient.ConnectAsync(a.BaseAddress, "/stream?topic=billing");
        await Task.WhenAll(everything.NextAsync(), orders.NextAsync(), local.NextAsync());

        // Gateway b reports its listeners by topic filter, so a push through a counts only those its topic reaches.
        await Eventually.TrueAsync(async () => (await a.GetJsonAsync("/api/cluster")).GetProperty("sse_connections").GetInt32() == 3,
            "gateway a sees gateway b's listeners");
        Assert.Equal(2, (await a.PushAsync("an order", "orders.created", wait: false)).GetProperty("clients").GetInt32());
        Assert.Equal(2, (await a.PushAsync("a bill", "billing", wait: false)).GetProperty("clients").GetInt32());
        Assert.Equal(1, (await a.PushAsync("other news", "news", wait: false)).GetProperty("clients").GetInt32());
    }

    [Fact]
    public async Task Inbound_duplicates_across_gateways_are_stored_once_and_a_wait_on_one_gateway_sees_an_event_posted_to_the_other()
    {
        var settings = await FreshDatabaseAsync();
        foreach (var (key, value) in InboundSigning.Sources)
            settings[key] = value;
        await using var a = await HeraldServer.StartAsync(settings);
        await using var b = await HeraldServer.StartAsync(settings);
        var body = InboundSigning.Sample("github-push.json");

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var request = InboundSigning.GitHub("push", body, "one-delivery");
            using var response = await (i % 2 == 0 ? a : b).Client.SendAsync(request);
            return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("event_id").GetInt64());
        }));
        Assert.Single(answers, x => x.StatusCode == HttpStatusCode.Accepted);
        Assert.Single(answers.Select(x => x.Item2).Distinct());
        Assert.Equal(1, (await a.GetJsonAsync("/api/events")).GetProperty("count").GetInt32());

        var cursor = answers[0].Item2;
        var waiting = a.GetJsonAsync($"/api/events/wait?after={cursor}&source=ci&timeout=30");
        using (var post = InboundSigning.Unsigned("ci", "{\"deploy\":\"done\"}", "deploy-1", "deploy.finished"))
        using (var posted = await b.Client.SendAsync(post))
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var answer = await waiting;
        Assert.False(answer.GetProperty("timed_out").GetBoolean());
        Assert.Equal("deploy.finished", answer.GetProperty("event").GetProperty("type").GetString());
    }
}
