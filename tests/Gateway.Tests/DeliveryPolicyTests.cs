using Herald.Testing;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;

namespace Herald.Gateway.Tests;

public sealed class DeliveryPolicyTests
{

    [Fact]
    public async Task A_receiver_that_fails_three_times_then_recovers_gets_the_message_once_more_and_the_log_shows_four_attempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        receiver.Answer("flaky", call => call <= 3 ? 500 : 200);
        var id = await server.CreateEndpointAsync(receiver.Url("flaky"));

        var pushed = await server.PushAsync("retry me");
        Assert.Equal(0, pushed.GetProperty("webhooks_notified").GetInt32());

        await Eventually.TrueAsync(() => receiver.Delivered("flaky").Count == 1, "the fourth attempt was delivered");
        var all = receiver.All("flaky");
        Assert.Equal(4, all.Count);
        Assert.Equal([500, 500, 500, 200], all.Select(r => r.AnsweredStatus).ToArray());
        Assert.Single(all.Select(r => r.Header("webhook-id")).Distinct());

        var attempts = await server.AttemptsAsync(id, 4);
        Assert.Equal(4, attempts.GetProperty("total").GetInt32());
        var list = attempts.GetProperty("attempts").EnumerateArray().Reverse().ToArray();
        Assert.Equal([1, 2, 3, 4], list.Select(a => a.GetProperty("attempt").GetInt32()).ToArray());
        Assert.Equal(["retrying", "retrying", "retrying", "succeeded"], list.Select(a => a.GetProperty("outcome").GetString()!).ToArray());
        Assert.Equal([500, 500, 500, 200], list.Select(a => a.GetProperty("status_code").GetInt32()).ToArray());
        Assert.Equal("answered 500", list[0].GetProperty("response_body").GetString());
        Assert.Equal("HTTP 500 Internal Server Error", list[0].GetProperty("error").GetString());
        Assert.True(list.All(a => a.GetProperty("latency_ms").GetDouble() >= 0));

        var status = await server.StatusWhenAsync(id, s => s.GetProperty("delivered").GetInt64() == 1, "the delivery is recorded");
        Assert.Equal(0, status.GetProperty("consecutive_failures").GetInt32());
        Assert.Equal(0, status.GetProperty("lag").GetInt64());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("next_retry_at").ValueKind);
    }

    [Fact]
    public async Task A_message_whose_retries_are_exhausted_is_recorded_as_failed_and_delivery_moves_on()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        receiver.Behave("picky", (request, _) =>
            Task.FromResult<(int, string?)>((request.Body.Contains("\"poison\"", StringComparison.Ordinal) ? 500 : 200, null)));
        var id = await server.CreateEndpointAsync(receiver.Url("picky"));

        await server.PushAsync("poison", wait: false);
        await server.PushAsync("fine", wait: false);

        await Eventually.TrueAsync(() => receiver.Delivered("picky").Count == 1, "the next message was delivered after the poison one failed");
        Assert.Equal("fine", receiver.Delivered("picky")[0].Message);
        Assert.Equal(6, receiver.All("picky").Count(r => r.AnsweredStatus == 500));
        var status = await server.StatusWhenAsync(id, s => s.GetProperty("delivered").GetInt64() == 1, "the delivery is recorded");
        Assert.Equal(1, status.GetProperty("failed").GetInt64());
        var attempts = (await server.GetJsonAsync($"/api/endpoints/{id}/attempts")).GetProperty("attempts").EnumerateArray().ToArray();
        Assert.Contains(attempts, a => a.GetProperty("outcome").GetString() == "failed" && a.GetProperty("attempt").GetInt32() == 6);
    }

    [Fact]
    public async Task Gone_410_disables_the_endpoint_and_enable_resumes_from_its_cursor()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var gone = true;
        receiver.Answer("gone", _ => Volatile.Read(ref gone) ? 410 : 200);
        var id = await server.CreateEndpointAsync(receiver.Url("gone"));

        await server.PushAsync("first");
        await Eventually.TrueAsync(async () => !(await server.GetJsonAsync($"/api/endpoints/{id}")).GetProperty("enabled").GetBoolean(),
            "the endpoint is disabled");
        var status = await server.GetJsonAsync($"/api/endpoints/{id}");
        Assert.Contains("410", status.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("disabled_at").ValueKind);

        var second = await server.PushAsync("second");
        Assert.Equal(0, second.GetProperty("total_webhooks").GetInt32());
        Assert.Single(receiver.All("gone"));

        Volatile.Write(ref gone, false);
        var enabled = await server.PostJsonAsync($"/api/endpoints/{id}/enable", new { });
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        await Eventually.TrueAsync(() => receiver.Delivered("gone").Count == 2, "both messages arrive after re-enabling");
        Assert.Equal(["first", "second"], receiver.Delivered("gone").Select(r => r.Message).ToArray());
    }

    [Fact]
    public async Task Delivery_follows_log_order_under_retries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        // Every message fails its first attempt: without strict ordering, later messages would overtake.
        var seen = new HashSet<long>();
        receiver.Behave("ordered", (request, _) =>
        {
            lock (seen)
                return Task.FromResult<(int, string?)>((seen.Add(request.MessageId) ? 503 : 200, null));
        });
        receiver.Answer("steady", _ => 200);
        await server.CreateEndpointAsync(receiver.Url("ordered"));
        await server.CreateEndpointAsync(receiver.Url("steady"));

        var ids = new List<long>();
        for (var i = 0; i < 30; i++)
            ids.Add((await server.PushAsync($"m{i}", wait: false)).GetProperty("id").GetInt64());

        await Eventually.TrueAsync(() => receiver.Delivered("ordered").Count == 30, "all 30 messages were delivered");
        Assert.Equal(ids, receiver.Delivered("ordered").Select(r => r.MessageId).ToArray());
        Assert.Equal(ids, receiver.All("ordered").Select(r => r.MessageId).Distinct().ToArray());
        await Eventually.TrueAsync(() => receiver.Delivered("steady").Count == 30, "the steady endpoint got all 30");
        Assert.Equal(ids, receiver.Delivered("steady").Select(r => r.MessageId).ToArray());
    }

    [Fact]
    public async Task Retry_after_on_429_sets_the_next_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        receiver.Behave("throttled", (_, call) => Task.FromResult<(int, string?)>(call == 1 ? (429, "120") : (200, null)));
        var id = await server.CreateEndpointAsync(receiver.Url("throttled"));

        await server.PushAsync("slow down");
        var status = await server.GetJsonAsync($"/api/endpoints/{id}");
        var attempt = status.GetProperty("last_attempt");
        Assert.Equal(429, attempt.GetProperty("status_code").GetInt32());
        var wait = attempt.GetProperty("next_retry_at").GetDateTimeOffset() - attempt.GetProperty("timestamp").GetDateTimeOffset();
        Assert.InRange(wait, TimeSpan.FromSeconds(119), TimeSpan.FromSeconds(121));
        Assert.Equal(1, status.GetProperty("lag").GetInt64());
        Assert.Single(receiver.All("throttled"));
    }

    [Fact]
    public async Task Replay_redelivers_from_a_chosen_message()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var id = await server.CreateEndpointAsync(receiver.Url("replayed"));
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
            ids.Add((await server.PushAsync($"m{i}")).GetProperty("id").GetInt64());
        await Eventually.TrueAsync(() => receiver.Delivered("replayed").Count == 5, "the first pass arrived");

        var replay = await server.PostJsonAsync($"/api/endpoints/{id}/replay", new { from_id = ids[2] }, System.Net.HttpStatusCode.Accepted);
        Assert.Equal(ids[2], replay.GetProperty("from_id").GetInt64());
        Assert.Equal(3, replay.GetProperty("pending").GetInt64());

        await Eventually.TrueAsync(() => receiver.Delivered("replayed").Count == 8, "messages 3 to 5 arrived again");
        Assert.Equal(ids.Concat(ids.Skip(2)).ToArray(), receiver.Delivered("replayed").Select(r => r.MessageId).ToArray());

        var byTime = await server.PostJsonAsync($"/api/endpoints/{id}/replay", new { since = DateTimeOffset.UtcNow.AddMinutes(-5) }, System.Net.HttpStatusCode.Accepted);
        Assert.Equal(ids[0], byTime.GetProperty("from_id").GetInt64());
        await Eventually.TrueAsync(() => receiver.Delivered("replayed").Count == 13, "the time-based replay resent all five");
    }

    [Fact]
    public async Task Topics_decide_which_endpoints_get_a_message()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(InboundSigning.Sources);
        await server.CreateEndpointAsync(receiver.Url("orders"), topics: ["orders.*"]);
        await server.CreateEndpointAsync(receiver.Url("everything"));
        await server.CreateEndpointAsync(receiver.Url("inbound"), topics: ["inbound.*"]);

        Assert.Equal(2, (await server.PushAsync("order", topic: "orders.created")).GetProperty("total_webhooks").GetInt32());
        Assert.Equal(1, (await server.PushAsync("plain")).GetProperty("total_webhooks").GetInt32());
        using (var inboundEvent = InboundSigning.Unsigned("ci", "{\"deploy\":\"done\"}", "ci-1", "deploy.finished"))
            (await server.Client.SendAsync(inboundEvent)).EnsureSuccessStatusCode();

        await Eventually.TrueAsync(() => receiver.Delivered("everything").Count == 2 && receiver.Delivered("orders").Count == 1 && receiver.Delivered("inbound").Count == 1,
            "each endpoint got exactly its topics");
        Assert.Equal("orders.created", JsonDocument.Parse(receiver.Delivered("orders")[0].Body).RootElement.GetProperty("topic").GetString());
        Assert.Equal("inbound.ci", JsonDocument.Parse(receiver.Delivered("inbound")[0].Body).RootElement.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task An_endpoint_that_keeps_failing_past_the_auto_disable_period_is_disabled_with_a_reason()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Delivery:AutoDisableAfter"] = "00:00:00.300",
            ["Herald:Delivery:RetrySchedule:5"] = "00:00:00.050",
            ["Herald:Delivery:RetrySchedule:6"] = "00:00:00.050",
            ["Herald:Delivery:RetrySchedule:7"] = "00:00:00.050",
            ["Herald:Delivery:RetrySchedule:8"] = "00:00:00.050",
            ["Herald:Delivery:RetrySchedule:9"] = "00:00:00.050",
        });
        receiver.Answer("dead", _ => 500);
        var id = await server.CreateEndpointAsync(receiver.Url("dead"));

        for (var i = 0; i < 20; i++)
            await server.PushAsync($"m{i}", wait: false);

        await Eventually.TrueAsync(async () => !(await server.GetJsonAsync($"/api/endpoints/{id}")).GetProperty("enabled").GetBoolean(),
            "the endpoint was disabled after failing for the auto-disable period");
        // The registry says "disabled" a moment before the attempt that caused it is saved.
        var status = await server.StatusWhenAsync(id, s => s.GetProperty("last_attempt").GetProperty("outcome").GetString() == "disabled", "the disabling attempt is recorded");
        Assert.StartsWith("Failing with no success since", status.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("disabled", status.GetProperty("last_attempt").GetProperty("outcome").GetString());
        Assert.True(status.GetProperty("lag").GetInt64() > 0, "the undelivered messages are kept for when it is enabled again");
    }

    [Fact]
    public async Task An_attempt_that_exceeds_the_timeout_is_recorded_and_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Delivery:Timeout"] = "00:00:00.200" });
        var release = new TaskCompletionSource();
        receiver.Behave("hangs", async (_, call) =>
        {
            if (call == 1)
                await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return (200, null);
        });
        var id = await server.CreateEndpointAsync(receiver.Url("hangs"));

        await server.PushAsync("patience", wait: false);

        await Eventually.TrueAsync(() => receiver.Delivered("hangs").Count == 1, "the retry after the timeout was delivered");
        release.SetResult();
        var attempts = (await server.AttemptsAsync(id, 2)).GetProperty("attempts").EnumerateArray().Reverse().ToArray();
        Assert.Equal("Timed out after 200 ms", attempts[0].GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, attempts[0].GetProperty("status_code").ValueKind);
        Assert.Equal("succeeded", attempts[1].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Replay_from_an_id_beyond_the_log_does_not_stop_later_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var id = await server.CreateEndpointAsync(receiver.Url("future"));
        await server.PushAsync("before");

        var replay = await server.PostJsonAsync($"/api/endpoints/{id}/replay", new { from_id = 1_000_000 }, System.Net.HttpStatusCode.Accepted);
        Assert.Equal(2, replay.GetProperty("from_id").GetInt64());
        Assert.Equal(0, replay.GetProperty("pending").GetInt64());

        await server.PushAsync("after");
        await Eventually.TrueAsync(() => receiver.Delivered("future").Count == 2, "the message after the replay was delivered");
    }
}
