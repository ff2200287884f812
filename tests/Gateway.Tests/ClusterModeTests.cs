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
        var attempts = await server.GetJsonAsync($"/api/endpoints/{flaky}/attempts");
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
        Assert.Equal("accepted before the restart", JsonDocument.Parse(receiver.Delivered("later")[0].Body).RootElement.GetProperty("message").GetString());
        var attempts = (await second.GetJsonAsync($"/api/endpoints/{endpointId}/attempts")).GetProperty("attempts").EnumerateArray().Reverse().ToArray();
        Assert.Equal([1, 2], attempts.Select(a => a.GetProperty("attempt").GetInt32()).ToArray());
        Assert.Equal(["retrying", "succeeded"], attempts.Select(a => a.GetProperty("outcome").GetString()!).ToArray());
    }

    [Fact]
    public async Task A_second_process_on_the_same_database_is_refused_until_the_first_stops()
    {
        var settings = await FreshDatabaseAsync();
        await using (var first = await HeraldServer.StartAsync(settings))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => HeraldServer.StartAsync(settings));
            Assert.Contains("Another Herald process already delivers from this PostgreSQL database", refused.Message, StringComparison.Ordinal);
        }

        await using var next = await HeraldServer.StartAsync(settings);
        Assert.Equal(0, (await next.GetJsonAsync("/api/webhooks")).GetProperty("total").GetInt32());
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
            receiver.Delivered("steady").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("message").GetString()!).ToArray());
    }
}
