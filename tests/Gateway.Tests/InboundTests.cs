using System.Net;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using static Herald.Testing.InboundSigning;

namespace Herald.Gateway.Tests;

public sealed class InboundTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HeraldServer server, HttpRequestMessage request)
    {
        using (request)
        using (var response = await server.Client.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    private static async Task<int> StoredCountAsync(HeraldServer server) =>
        (await server.GetJsonAsync("/api/events?limit=1000")).GetProperty("count").GetInt32();

    [Fact]
    public async Task Signed_github_stripe_and_standard_webhooks_are_accepted_stored_and_summarized()
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        var now = DateTimeOffset.UtcNow;

        var (github, githubBody) = await SendAsync(server, GitHub("push", Sample("github-push.json"), "d-1"));
        var (stripe, stripeBody) = await SendAsync(server, Stripe(Sample("stripe-payment_intent.succeeded.json"), now));
        var (standard, standardBody) = await SendAsync(server, Standard("{\"type\":\"user.created\",\"id\":\"u1\"}", "msg_1", now, StandardSecret));

        Assert.Equal(HttpStatusCode.Accepted, github);
        Assert.Equal("received", githubBody.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Accepted, stripe);
        Assert.Equal(HttpStatusCode.Accepted, standard);

        var push = await server.GetJsonAsync($"/api/events/{githubBody.GetProperty("event_id").GetInt64()}");
        Assert.Equal("github", push.GetProperty("source").GetString());
        Assert.Equal("push", push.GetProperty("type").GetString());
        Assert.Equal("d-1", push.GetProperty("delivery_id").GetString());
        var summary = push.GetProperty("summary");
        Assert.Equal(3, summary.GetProperty("commit_count").GetInt32());
        Assert.Equal(3, summary.GetProperty("commits").GetArrayLength());
        Assert.False(string.IsNullOrEmpty(summary.GetProperty("repo").GetString()));
        Assert.Equal(JsonValueKind.Object, push.GetProperty("payload").ValueKind);
        Assert.False(push.GetProperty("headers").TryGetProperty("x-hub-signature-256", out _), "signatures are not kept");

        var payment = await server.GetJsonAsync($"/api/events/{stripeBody.GetProperty("event_id").GetInt64()}");
        Assert.Equal("payment_intent.succeeded", payment.GetProperty("type").GetString());
        Assert.Equal(JsonDocument.Parse(Sample("stripe-payment_intent.succeeded.json")).RootElement.GetProperty("id").GetString(), payment.GetProperty("delivery_id").GetString());
        Assert.True(payment.GetProperty("summary").GetProperty("amount").GetInt64() > 0);
        Assert.Equal("msg_1", (await server.GetJsonAsync($"/api/events/{standardBody.GetProperty("event_id").GetInt64()}")).GetProperty("delivery_id").GetString());

        var sources = (await server.GetJsonAsync("/api/events/sources")).GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("source").GetString()!, s => s.GetProperty("count").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["app"] = 1, ["github"] = 1, ["stripe"] = 1 }, sources);
        var counts = await server.GetJsonAsync("/api/events/summary?hours=1");
        Assert.Equal(3, counts.GetProperty("total").GetInt64());
        Assert.Equal(1, counts.GetProperty("sources").GetProperty("github").GetProperty("types").GetProperty("push").GetInt64());
    }

    [Fact]
    public async Task Tampered_wrongly_signed_expired_or_unsigned_requests_get_401_and_nothing_is_stored()
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        var body = Sample("github-push.json");
        var tampered = GitHub("push", body, "d-1");
        tampered.Content = new StringContent(body.Replace("main", "evil", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        var missing = GitHub("push", body, "d-2");
        missing.Headers.Remove("X-Hub-Signature-256");

        foreach (var request in new[]
                 {
                     tampered, missing, GitHub("push", body, "d-3", secret: "not-the-secret"),
                     Stripe(Sample("stripe-invoice.paid.json"), DateTimeOffset.UtcNow.AddMinutes(-10)),
                     Stripe(Sample("stripe-invoice.paid.json"), DateTimeOffset.UtcNow, secret: "whsec_wrong"),
                     Standard("{}", "msg_9", DateTimeOffset.UtcNow.AddHours(-1), StandardSecret),
                 })
        {
            var (status, problem) = await SendAsync(server, request);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("error").GetString()));
        }

        Assert.Equal(0, await StoredCountAsync(server));
    }

    [Fact]
    public async Task During_rotation_either_secret_verifies()
    {
        await using var server = await HeraldServer.StartAsync(Sources);

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(server, GitHub("issues", Sample("github-issues-opened.json"), "r-1", GitHubSecret))).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(server, GitHub("issues", Sample("github-issues-opened.json"), "r-2", GitHubRotatedSecret))).Status);
        Assert.Equal(2, await StoredCountAsync(server));
    }

    [Fact]
    public async Task A_signed_vercel_deployment_is_stored_once_however_often_it_is_sent_and_a_bad_signature_is_refused()
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        var body = Sample("vercel-deployment.succeeded.json");

        var (first, firstBody) = await SendAsync(server, Vercel(body));
        var (again, againBody) = await SendAsync(server, Vercel(body));
        var (forged, forgedBody) = await SendAsync(server, Vercel(body, secret: "not-the-secret"));

        Assert.Equal(HttpStatusCode.Accepted, first);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal("duplicate", againBody.GetProperty("status").GetString());
        Assert.Equal(firstBody.GetProperty("event_id").GetInt64(), againBody.GetProperty("event_id").GetInt64());
        Assert.Equal(HttpStatusCode.Unauthorized, forged);
        Assert.Contains("x-vercel-signature", forgedBody.GetProperty("error").GetString(), StringComparison.Ordinal);

        var stored = await server.GetJsonAsync("/api/events?source=vercel");
        var deployment = Assert.Single(stored.GetProperty("events").EnumerateArray());
        Assert.Equal("deployment.succeeded", deployment.GetProperty("type").GetString());
        Assert.Equal("Wm8DqyL4ZQ6sXfR3cT9kVb2n", deployment.GetProperty("delivery_id").GetString());
        var summary = deployment.GetProperty("summary");
        Assert.Equal("storefront", summary.GetProperty("project").GetString());
        Assert.Equal("ready", summary.GetProperty("status").GetString());
        Assert.Equal("production", summary.GetProperty("target").GetString());
        Assert.Equal("9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b1d", summary.GetProperty("commit_sha").GetString());
    }

    [Fact]
    public async Task A_duplicate_delivery_sent_concurrently_is_stored_once_and_answered_with_the_original_id()
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        var body = Sample("github-pull_request-opened.json");

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SendAsync(server, GitHub("pull_request", body, "same-delivery"))));

        Assert.Single(answers, a => a.Status == HttpStatusCode.Accepted);
        Assert.Equal(9, answers.Count(a => a.Status == HttpStatusCode.OK && a.Body.GetProperty("status").GetString() == "duplicate"));
        Assert.Single(answers.Select(a => a.Body.GetProperty("event_id").GetInt64()).Distinct());
        Assert.Equal(1, await StoredCountAsync(server));
    }

    [Fact]
    public async Task Wait_returns_an_event_posted_during_the_wait_and_times_out_with_a_cursor_otherwise()
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        var head = (await server.PushAsync("a push, not an event", wait: false)).GetProperty("id").GetInt64();

        var waiting = server.GetJsonAsync($"/api/events/wait?after={head}&source=ci&timeout=30");
        var (_, started) = await SendAsync(server, Unsigned("ci", "{\"build\":1}", "other-type", type: "build.started"));
        var (status, posted) = await SendAsync(server, Unsigned("ci", "{\"build\":1,\"ok\":true}", "b-1", type: "build.finished"));
        Assert.Equal(HttpStatusCode.Accepted, status);

        var answer = await waiting;
        Assert.False(answer.GetProperty("timed_out").GetBoolean());
        Assert.Equal(answer.GetProperty("cursor").GetInt64(), answer.GetProperty("event").GetProperty("id").GetInt64());
        // The first event after the cursor that matches (any type from source ci) is the one posted first.
        Assert.Equal(started.GetProperty("event_id").GetInt64(), answer.GetProperty("event").GetProperty("id").GetInt64());

        var typed = await server.GetJsonAsync($"/api/events/wait?after={head}&type=build.finished&timeout=5");
        Assert.Equal(posted.GetProperty("event_id").GetInt64(), typed.GetProperty("event").GetProperty("id").GetInt64());

        var timedOut = await server.GetJsonAsync($"/api/events/wait?after={typed.GetProperty("cursor").GetInt64()}&timeout=1");
        Assert.True(timedOut.GetProperty("timed_out").GetBoolean());
        Assert.Equal(JsonValueKind.Null, timedOut.GetProperty("event").ValueKind);
        Assert.True(timedOut.GetProperty("cursor").GetInt64() >= typed.GetProperty("cursor").GetInt64());
    }

    [Fact]
    public async Task Paging_with_the_cursor_never_skips_or_repeats_an_event_across_a_thousand()
    {
        var settings = Sources;
        settings["Herald:Inbound:Sources:ci:PermitsPerMinute"] = "100000";
        await using var server = await HeraldServer.StartAsync(settings);
        var posting = Task.WhenAll(Enumerable.Range(0, 1000).Select(i => SendAsync(server, Unsigned("ci", $"{{\"n\":{i}}}", $"n-{i}"))));

        // Paging runs while the events are still arriving: a cursor taken mid-stream must not lose any.
        var seen = new List<long>();
        long cursor = 0;
        await Eventually.TrueAsync(async () =>
        {
            var page = await server.GetJsonAsync($"/api/events?source=ci&since={cursor}&limit=70");
            seen.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("cursor").ValueKind == JsonValueKind.Number ? page.GetProperty("cursor").GetInt64() : cursor;
            return seen.Count >= 1000;
        }, "a thousand events were paged through", TimeSpan.FromSeconds(60));
        Assert.All(await posting, answer => Assert.Equal(HttpStatusCode.Accepted, answer.Status));

        Assert.Equal(1000, seen.Count);
        Assert.Equal(seen.Order().ToArray(), seen.ToArray());
        Assert.Equal(1000, seen.Distinct().Count());
    }

    [Fact]
    public async Task Inbound_events_reach_subscribed_webhooks_with_type_and_payload_and_sse_listeners_that_ask_for_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(Sources);
        await server.CreateEndpointAsync(receiver.Url("github-hooks"), topics: ["inbound.github"]);
        await server.CreateEndpointAsync(receiver.Url("everything-else"));
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress, "/stream?topic=inbound.*");
        await listener.NextAsync();

        var (_, receipt) = await SendAsync(server, GitHub("pull_request", Sample("github-pull_request-closed-merged.json"), "pr-1"));
        await server.PushAsync("plain push");

        await Eventually.TrueAsync(() => receiver.Delivered("github-hooks").Count == 1, "the subscribed endpoint got the event");
        var relayed = JsonDocument.Parse(receiver.Delivered("github-hooks")[0].Body).RootElement;
        Assert.Equal("inbound.github", relayed.GetProperty("topic").GetString());
        Assert.Equal("pull_request", relayed.GetProperty("type").GetString());
        Assert.Equal(receipt.GetProperty("event_id").GetInt64(), relayed.GetProperty("id").GetInt64());
        Assert.Equal(JsonDocument.Parse(Sample("github-pull_request-closed-merged.json")).RootElement.GetProperty("number").GetInt32(),
            relayed.GetProperty("payload").GetProperty("number").GetInt32());

        var streamed = (await listener.NextMessagesAsync(1))[0];
        Assert.Equal(receipt.GetProperty("event_id").GetInt64().ToString(), streamed.Id);
        Assert.Contains("pull_request", streamed.Data, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => receiver.Delivered("everything-else").Count == 1, "the default endpoint got the push");
        Assert.Equal("plain push", receiver.Delivered("everything-else")[0].Message);
    }

    [Fact]
    public async Task GitHub_activity_summarizes_pushes_commits_contributors_and_pull_requests_for_a_repo()
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        await SendAsync(server, GitHub("push", Sample("github-push.json"), "a-1"));
        await SendAsync(server, GitHub("pull_request", Sample("github-pull_request-opened.json"), "a-2"));
        await SendAsync(server, GitHub("pull_request", Sample("github-pull_request-closed-merged.json"), "a-3"));
        var repo = JsonDocument.Parse(Sample("github-push.json")).RootElement.GetProperty("repository").GetProperty("full_name").GetString();

        var activity = await server.GetJsonAsync($"/api/events/github/activity?repo={repo}&hours=24");

        Assert.Equal(1, activity.GetProperty("pushes").GetInt32());
        Assert.Equal(3, activity.GetProperty("commits").GetInt32());
        Assert.True(activity.GetProperty("contributors").GetArrayLength() >= 2);
        Assert.Equal(3, activity.GetProperty("recent_commits").GetArrayLength());
        Assert.True(activity.GetProperty("pull_requests").EnumerateObject().Sum(p => p.Value.GetInt32()) >= 1);
    }

    [Fact]
    public async Task Limits_rate_size_json_and_unknown_sources_get_clear_4xx_answers()
    {
        var settings = Sources;
        settings["Herald:Inbound:Sources:limited:Scheme"] = "none";
        settings["Herald:Inbound:Sources:limited:PermitsPerMinute"] = "3";
        settings["Herald:Inbound:Sources:small:Scheme"] = "none";
        settings["Herald:Inbound:Sources:small:MaxBodyBytes"] = "64";
        await using var server = await HeraldServer.StartAsync(settings);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(server, Unsigned("limited", "{}"))).Status);
        using (var fourth = Unsigned("limited", "{}"))
        using (var limited = await server.Client.SendAsync(fourth))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()));
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SendAsync(server, Unsigned("small", $"{{\"pad\":\"{new string('x', 100)}\"}}"))).Status);
        var (malformed, problem) = await SendAsync(server, GitHub("push", "{not json", "bad-1"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, Unsigned("nobody-configured-this", "{}"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, Unsigned("Bad%20Name", "{}"))).Status);
    }

    [Fact]
    public async Task A_payload_with_an_unpaired_surrogate_is_refused_and_nothing_is_stored()
    {
        await using var server = await HeraldServer.StartAsync(Sources);

        var (status, problem) = await SendAsync(server, Unsigned("ci", "{\"name\":\"\\ud800\",\"ok\":1}", "bad-surrogate"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("surrogate", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredCountAsync(server));
    }

    [Theory]
    [InlineData("/api/events?limit=0", "limit")]
    [InlineData("/api/events?limit=lots", "limit")]
    [InlineData("/api/events?since=yesterday-ish", "since")]
    [InlineData("/api/events/summary?hours=0", "hours")]
    [InlineData("/api/events/github/activity?repo=noslash", "repo")]
    [InlineData("/api/events/wait?timeout=56", "timeout")]
    [InlineData("/api/events/wait?after=x", "after")]
    public async Task Bad_event_queries_get_400_naming_the_parameter(string path, string field)
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        using var response = await server.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task An_unknown_event_id_is_a_404()
    {
        await using var server = await HeraldServer.StartAsync(Sources);
        using var missing = await server.Client.GetAsync("/api/events/424242");
        using var nonsense = await server.Client.GetAsync("/api/events/not-an-id");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nonsense.StatusCode);
    }

    [Fact]
    public async Task Retention_keeps_only_the_newest_events_of_a_source()
    {
        var settings = Sources;
        settings["Herald:Inbound:Sources:ci:MaxEvents"] = "2";
        settings["Herald:Inbound:PruneInterval"] = "00:00:00.050";
        await using var server = await HeraldServer.StartAsync(settings);
        for (var i = 0; i < 5; i++)
            await SendAsync(server, Unsigned("ci", $"{{\"n\":{i}}}", $"k-{i}"));

        await Eventually.TrueAsync(async () => await StoredCountAsync(server) == 2, "retention pruned all but the two newest events");
        var left = (await server.GetJsonAsync("/api/events?source=ci")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("delivery_id").GetString()!).ToArray();
        Assert.Equal(["k-3", "k-4"], left);
    }

    [Fact]
    public async Task A_misconfigured_source_stops_the_gateway_at_startup_with_a_message_that_names_it()
    {
        var settings = Sources;
        settings["Herald:Inbound:Sources:broken:Scheme"] = "github";

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => HeraldServer.StartAsync(settings));

        Assert.Contains("Sources:broken", failure.Message, StringComparison.Ordinal);
    }
}
