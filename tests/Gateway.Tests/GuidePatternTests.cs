using System.Net;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using static Herald.Testing.InboundSigning;

namespace Herald.Gateway.Tests;

/// <summary>The MCP event-patterns guide's patterns over the HTTP API, embedded (in memory).</summary>
public sealed class EmbeddedGuidePatternTests : GuidePatternTests
{
    protected override Task<Dictionary<string, string?>> StorageAsync() => Task.FromResult(new Dictionary<string, string?>());
}

/// <summary>The MCP event-patterns guide's patterns over the HTTP API, on the embedded hub's default data file.</summary>
public sealed class SqliteGuidePatternTests : GuidePatternTests
{
    protected override Task<Dictionary<string, string?>> StorageAsync() => Task.FromResult(HeraldServer.OnSqlite());
}

/// <summary>The MCP event-patterns guide's patterns over the HTTP API, on PostgreSQL as a cluster runs them.</summary>
public sealed class PostgresGuidePatternTests : GuidePatternTests
{
    protected override async Task<Dictionary<string, string?>> StorageAsync() =>
        HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync());
}

/// <summary>
/// The MCP event-patterns guide's patterns (deployment monitoring, tracked repositories, Stripe actions, channels and
/// subscriptions) with realistic signed payloads: the same facts on each storage.
/// </summary>
public abstract class GuidePatternTests
{
    /// <summary>The first commit of the github-push.json sample, which the deployments below are built from.</summary>
    protected const string PushedSha = "3e1f0a2b4c6d8e9f0a1b2c3d4e5f60718293a4b5";

    protected abstract Task<Dictionary<string, string?>> StorageAsync();

    protected async Task<HeraldServer> StartAsync()
    {
        var settings = await StorageAsync();
        foreach (var (key, value) in Sources)
            settings[key] = value;
        return await HeraldServer.StartAsync(settings);
    }

    protected static async Task<long> ReceiveAsync(HeraldServer server, HttpRequestMessage request)
    {
        using (request)
        using (var response = await server.Client.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{request.RequestUri} answered {(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.GetProperty("event_id").GetInt64();
        }
    }

    /// <summary>A Vercel deployment event of <paramref name="project"/> built from the commit <paramref name="sha"/>.</summary>
    protected static string VercelEvent(string id, string type, string project, string sha) =>
        Sample("vercel-deployment.succeeded.json")
            .Replace("Wm8DqyL4ZQ6sXfR3cT9kVb2n", id, StringComparison.Ordinal)
            .Replace("deployment.succeeded", type, StringComparison.Ordinal)
            .Replace("\"storefront\"", $"\"{project}\"", StringComparison.Ordinal)
            .Replace("9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b1d", sha, StringComparison.Ordinal);

    protected static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HeraldServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Pushes_and_deployments_are_listed_counted_and_correlated_by_sha_prefix()
    {
        await using var server = await StartAsync();
        var push = await ReceiveAsync(server, GitHub("push", Sample("github-push.json"), "push-1"));
        var created = await ReceiveAsync(server, Vercel(VercelEvent("dep-evt-1", "deployment.created", "storefront", PushedSha)));
        var succeeded = await ReceiveAsync(server, Vercel(VercelEvent("dep-evt-2", "deployment.succeeded", "storefront", PushedSha)));
        await ReceiveAsync(server, Vercel(Sample("vercel-deployment.error-flat.json")));

        var pushes = (await server.GetJsonAsync("/api/pushes?repo=octo-org/hello-world")).GetProperty("pushes").EnumerateArray().ToArray();
        Assert.Equal(["c9a8b7f6e5d4c3b2a1908172635449a1b2c3d4e5", "5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7", PushedSha], pushes.Select(p => p.GetProperty("sha").GetString()!).ToArray());
        Assert.All(pushes, p => Assert.Equal(push, p.GetProperty("event_id").GetInt64()));
        Assert.Equal("main", pushes[2].GetProperty("branch").GetString());
        Assert.Equal("alice", pushes[2].GetProperty("author").GetString());
        Assert.StartsWith("Add health endpoint", pushes[2].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await server.GetJsonAsync("/api/pushes?limit=2")).GetProperty("count").GetInt32());
        Assert.Equal(0, (await server.GetJsonAsync("/api/pushes?repo=octo-org/elsewhere")).GetProperty("count").GetInt32());

        var deployments = (await server.GetJsonAsync("/api/deployments?project=storefront")).GetProperty("deployments").EnumerateArray().ToArray();
        Assert.Equal([succeeded, created], deployments.Select(d => d.GetProperty("event_id").GetInt64()).ToArray());
        Assert.Equal(["ready", "building"], deployments.Select(d => d.GetProperty("status").GetString()!).ToArray());
        Assert.Equal(3, (await server.GetJsonAsync("/api/deployments")).GetProperty("count").GetInt32());

        var status = await server.GetJsonAsync("/api/deployments/status?project=storefront");
        Assert.Equal(succeeded, status.GetProperty("latest").GetProperty("event_id").GetInt64());
        Assert.Equal("storefront-7xk2p9q1m-octo-org.vercel.app", status.GetProperty("latest").GetProperty("url").GetString());
        Assert.Equal(new Dictionary<string, int> { ["building"] = 1, ["ready"] = 1 },
            status.GetProperty("by_status").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        var docs = await server.GetJsonAsync("/api/deployments/status?project=docs-site");
        Assert.Equal("error", docs.GetProperty("latest").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, (await server.GetJsonAsync("/api/deployments/status?project=never-deployed")).GetProperty("latest").ValueKind);

        // A short sha matches the full one, and a short stored sha (the flat shape's) matches a full one given.
        var correlated = await server.GetJsonAsync("/api/deployments/correlate?commit_sha=3e1f0a2");
        Assert.Equal(PushedSha, correlated.GetProperty("push").GetProperty("sha").GetString());
        Assert.Equal(succeeded, correlated.GetProperty("deployment").GetProperty("event_id").GetInt64());
        Assert.Equal(2, correlated.GetProperty("deployments").GetArrayLength());
        var flat = await server.GetJsonAsync("/api/deployments/correlate?commit_sha=4b7e9d1c3a5f00112233445566778899aabbccdd");
        Assert.Equal("docs-site", flat.GetProperty("deployment").GetProperty("project").GetString());
        Assert.Equal(JsonValueKind.Null, flat.GetProperty("push").ValueKind);
    }

    [Theory]
    [InlineData("/api/deployments/correlate?commit_sha=xyz", "commit_sha")]
    [InlineData("/api/deployments/correlate", "commit_sha")]
    [InlineData("/api/deployments/status", "project")]
    [InlineData("/api/deployments/status?project=a&hours=0", "hours")]
    [InlineData("/api/deployments?limit=0", "limit")]
    [InlineData("/api/pushes?limit=201", "limit")]
    public async Task Bad_deployment_queries_are_400s_naming_the_field(string path, string field)
    {
        await using var server = await StartAsync();

        var (status, body) = await GetAsync(server, path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(field + ":", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tracked_repos_and_repo_activity_follow_the_github_events()
    {
        await using var server = await StartAsync();
        await ReceiveAsync(server, GitHub("push", Sample("github-push.json"), "a-1"));
        await ReceiveAsync(server, GitHub("pull_request", Sample("github-pull_request-opened.json"), "a-2"));
        await ReceiveAsync(server, GitHub("issues", Sample("github-issues-opened.json"), "a-3"));
        var repoOf = (string sample) => JsonDocument.Parse(Sample(sample)).RootElement.GetProperty("repository").GetProperty("full_name").GetString()!;

        var tracked = (await server.GetJsonAsync("/api/events/github/repos")).GetProperty("repos").EnumerateArray().ToArray();
        var expected = new[] { "github-push.json", "github-pull_request-opened.json", "github-issues-opened.json" }.Select(repoOf)
            .GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected, tracked.ToDictionary(r => r.GetProperty("repo").GetString()!, r => r.GetProperty("events").GetInt32()));

        var activity = await server.GetJsonAsync("/api/events/github/activity?repo=octo-org/hello-world");
        var types = activity.GetProperty("events_by_type").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(activity.GetProperty("total_events").GetInt32(), types.Values.Sum());
        Assert.Equal(1, types["push"]);
        Assert.Equal(types.Values.Sum(), activity.GetProperty("recent_events").GetArrayLength());
        Assert.Equal("push", activity.GetProperty("recent_events")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Stripe_events_queue_the_guides_actions_which_complete_once_by_id_or_by_type()
    {
        await using var server = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var checkout = await ReceiveAsync(server, Stripe(Sample("stripe-checkout.session.completed.json"), now));
        var failed = await ReceiveAsync(server, Stripe(Sample("stripe-invoice.payment_failed.json"), now));
        var deleted = await ReceiveAsync(server, Stripe(Sample("stripe-customer.subscription.deleted.json"), now));
        await ReceiveAsync(server, Stripe(Sample("stripe-payment_intent.succeeded.json"), now));

        var pending = await server.GetJsonAsync("/api/actions");
        Assert.Equal(3, pending.GetProperty("pending").GetInt32());
        var actions = pending.GetProperty("actions").EnumerateArray().ToArray();
        Assert.Equal(["send_welcome_email", "send_payment_failed_email", "send_churn_survey"], actions.Select(a => a.GetProperty("type").GetString()!).ToArray());
        Assert.Equal([checkout, failed, deleted], actions.Select(a => a.GetProperty("event_id").GetInt64()).ToArray());
        Assert.Equal("new.customer@example.com", actions[0].GetProperty("fields").GetProperty("customer_email").GetString());
        Assert.Equal(4900, actions[0].GetProperty("fields").GetProperty("amount").GetInt64());
        Assert.Equal(2900, actions[1].GetProperty("fields").GetProperty("amount").GetInt64());
        Assert.Equal("billing@acme.example", actions[1].GetProperty("fields").GetProperty("customer_email").GetString());
        Assert.Equal("price_1OzTeam2eZvKYlo2CyearlyB", actions[2].GetProperty("fields").GetProperty("plan").GetString());
        Assert.Equal(3, (await server.GetJsonAsync("/api/events/summary")).GetProperty("pending_actions").GetInt32());

        var welcomeId = actions[0].GetProperty("id").GetString()!;
        var first = await server.PostJsonAsync($"/api/actions/{welcomeId}/complete", new { details = "Sent the welcome email", completed_by = "ops" });
        var again = await server.PostJsonAsync($"/api/actions/{welcomeId}/complete", new { details = "a second time", completed_by = "someone else" });
        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal("already_completed", again.GetProperty("status").GetString());
        Assert.Equal("ops", again.GetProperty("action").GetProperty("completed_by").GetString());
        Assert.Equal("Sent the welcome email", again.GetProperty("action").GetProperty("details").GetString());

        var byType = await server.PostJsonAsync("/api/actions/complete", new { action_type = "send_churn_survey", details = "survey sent" });
        Assert.Equal(deleted, byType.GetProperty("action").GetProperty("event_id").GetInt64());
        Assert.Equal("api", byType.GetProperty("action").GetProperty("completed_by").GetString());
        var none = await server.PostJsonAsync("/api/actions/complete", new { action_type = "send_churn_survey" }, HttpStatusCode.NotFound);
        Assert.Contains("No action of type 'send_churn_survey' is pending", none.GetProperty("error").GetString(), StringComparison.Ordinal);

        var left = await server.GetJsonAsync("/api/actions");
        Assert.Equal(failed, Assert.Single(left.GetProperty("actions").EnumerateArray()).GetProperty("event_id").GetInt64());
        var done = (await server.GetJsonAsync("/api/actions?status=completed")).GetProperty("actions").EnumerateArray().ToArray();
        Assert.Equal([deleted, checkout], done.Select(a => a.GetProperty("event_id").GetInt64()).ToArray());
        Assert.Equal(1, (await server.GetJsonAsync("/api/events/summary")).GetProperty("pending_actions").GetInt32());

        var stripe = (await server.GetJsonAsync("/api/events/stripe?limit=10")).GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(4, stripe.Length);
        var checkoutEvent = stripe.Single(e => e.GetProperty("event").GetProperty("id").GetInt64() == checkout);
        Assert.Equal("completed", Assert.Single(checkoutEvent.GetProperty("actions").EnumerateArray()).GetProperty("status").GetString());
        Assert.Empty(stripe.Single(e => e.GetProperty("event").GetProperty("type").GetString() == "payment_intent.succeeded").GetProperty("actions").EnumerateArray());
    }

    [Fact]
    public async Task Bad_action_requests_are_4xx_that_say_what_is_wrong()
    {
        await using var server = await StartAsync();

        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(server, "/api/actions?status=maybe")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(server, "/api/actions?limit=0")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(server, "/api/actions/act_424242_send_welcome_email")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(server, "/api/actions/not-an-id")).Status);
        var unknown = await server.PostJsonAsync("/api/actions/complete", new { action_type = "launch_rockets" }, HttpStatusCode.BadRequest);
        Assert.Contains("send_welcome_email", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);
        var missing = await server.PostJsonAsync("/api/actions/complete", new { details = "no type" }, HttpStatusCode.BadRequest);
        Assert.StartsWith("action_type:", missing.GetProperty("error").GetString(), StringComparison.Ordinal);
        var tooLong = await server.PostJsonAsync("/api/actions/complete", new { action_type = "send_welcome_email", details = new string('x', 5000) }, HttpStatusCode.BadRequest);
        Assert.StartsWith("details:", tooLong.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var notJson = await server.Client.PostAsync("/api/actions/complete", new StringContent("[1,2]", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(server, "/api/events/stripe?limit=201")).Status);
    }

    [Fact]
    public async Task A_subscription_resumes_from_its_server_side_cursor_so_a_caller_without_one_misses_nothing()
    {
        await using var server = await StartAsync();
        var created = await server.PostJsonAsync("/api/subscriptions", new { sources = new[] { "vercel", "github" }, callback_description = "Report deployments" }, HttpStatusCode.Created);
        Assert.Equal("github+vercel", created.GetProperty("name").GetString());
        Assert.Contains("wait_for_event(subscription=\"github+vercel\")", created.GetProperty("instruction").GetString(), StringComparison.Ordinal);

        var push = await ReceiveAsync(server, GitHub("push", Sample("github-push.json"), "sub-1"));
        await ReceiveAsync(server, Stripe(Sample("stripe-payment_intent.succeeded.json"), DateTimeOffset.UtcNow));
        var deployment = await ReceiveAsync(server, Vercel(VercelEvent("sub-dep-1", "deployment.succeeded", "storefront", PushedSha)));

        var first = await server.GetJsonAsync("/api/events/wait?subscription=github%2Bvercel&timeout=5");
        var second = await server.GetJsonAsync("/api/events/wait?subscription=github%2Bvercel&timeout=5");
        var third = await server.GetJsonAsync("/api/events/wait?subscription=github%2Bvercel&timeout=0");
        Assert.Equal(push, first.GetProperty("event").GetProperty("id").GetInt64());
        Assert.Equal(deployment, second.GetProperty("event").GetProperty("id").GetInt64());
        Assert.True(third.GetProperty("timed_out").GetBoolean());

        // Subscribing again keeps the cursor; a wait that is under way when an event arrives gets it.
        var again = await server.PostJsonAsync("/api/subscriptions", new { sources = new[] { "github", "vercel" } });
        Assert.True(again.GetProperty("cursor").GetInt64() >= deployment);
        var waiting = server.GetJsonAsync("/api/events/wait?subscription=github%2Bvercel&timeout=30");
        var later = await ReceiveAsync(server, GitHub("issues", Sample("github-issues-opened.json"), "sub-2"));
        Assert.Equal(later, (await waiting).GetProperty("event").GetProperty("id").GetInt64());

        var listed = (await server.GetJsonAsync("/api/subscriptions")).GetProperty("subscriptions").EnumerateArray().Single();
        Assert.Equal(later, listed.GetProperty("cursor").GetInt64());
        Assert.Equal("Report deployments", listed.GetProperty("callback_description").GetString());
        using (var deleted = await server.Client.DeleteAsync("/api/subscriptions/github%2Bvercel"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(server, "/api/events/wait?subscription=github%2Bvercel&timeout=0")).Status);
    }

    [Theory]
    [InlineData("""{"sources":["nowhere"]}""", "sources")]
    [InlineData("""{"sources":["github"],"name":"Bad Name"}""", "name")]
    [InlineData("""{"sources":"github"}""", "sources")]
    public async Task Bad_subscriptions_are_400s_naming_the_field(string body, string field)
    {
        await using var server = await StartAsync();

        using var response = await server.Client.PostAsync("/api/subscriptions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith(field, error, StringComparison.Ordinal);
        var (combined, combinedBody) = await GetAsync(server, "/api/events/wait?subscription=all&after=1");
        Assert.Equal(HttpStatusCode.BadRequest, combined);
        Assert.StartsWith("subscription:", combinedBody.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_with_data_reaches_webhooks_and_json_listeners_as_an_object_and_reads_back_by_channel()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync();
        await server.CreateEndpointAsync(receiver.Url("deploys"), ["deploys"]);
        await using var json = await SseClient.ConnectAsync(server.BaseAddress, "/stream?topic=deploys&format=json");
        await using var text = await SseClient.ConnectAsync(server.BaseAddress, "/stream?topic=deploys");
        await using var elsewhere = await SseClient.ConnectAsync(server.BaseAddress, "/stream?topic=orders.*");
        await Task.WhenAll(json.NextAsync(), text.NextAsync(), elsewhere.NextAsync());

        var pushed = await server.PostJsonAsync("/api/push", new { topic = "deploys", data = new { status = "deployed", version = "1.4.2", notes = "héllo" } });
        var both = await server.PostJsonAsync("/api/push", new { topic = "deploys", message = "with both", data = new { n = 2 } });

        // WebhookMCP's answer keeps its shape; a data-only push's message is the object's compact JSON.
        Assert.Equal("""{"status":"deployed","version":"1.4.2","notes":"héllo"}""", pushed.GetProperty("message").GetString());
        Assert.Equal(2, pushed.GetProperty("clients").GetInt32());
        await Eventually.TrueAsync(() => receiver.Delivered("deploys").Count == 2, "both pushes were delivered");
        var delivered = JsonDocument.Parse(receiver.Delivered("deploys")[0].Body).RootElement;
        Assert.Equal("1.4.2", delivered.GetProperty("data").GetProperty("version").GetString());
        Assert.Equal("with both", receiver.Delivered("deploys")[1].Message);
        Assert.Equal(2, JsonDocument.Parse(receiver.Delivered("deploys")[1].Body).RootElement.GetProperty("data").GetProperty("n").GetInt32());
        var frame = JsonDocument.Parse((await json.NextMessagesAsync(1))[0].Data).RootElement;
        Assert.Equal("deployed", frame.GetProperty("data").GetProperty("status").GetString());
        Assert.EndsWith("""] {"status":"deployed","version":"1.4.2","notes":"héllo"}""", (await text.NextMessagesAsync(1))[0].Data, StringComparison.Ordinal);

        var messages = (await server.GetJsonAsync("/api/channels/messages?channel=deploys")).GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal([pushed.GetProperty("id").GetInt64(), both.GetProperty("id").GetInt64()], messages.Select(m => m.GetProperty("id").GetInt64()).ToArray());
        Assert.Equal("1.4.2", messages[0].GetProperty("data").GetProperty("version").GetString());
        await server.PushAsync("plain", "orders.eu", wait: false);
        Assert.Equal(1, (await server.GetJsonAsync("/api/channels/messages?limit=1")).GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await server.GetJsonAsync("/api/channels/messages?channel=orders.eu")).GetProperty("messages")[0].GetProperty("data").ValueKind);

        var stats = await server.GetJsonAsync("/api/channels?hours=1");
        var byChannel = stats.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!, c => c.GetProperty("messages").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["deploys"] = 2, ["orders.eu"] = 1 }, byChannel);
        Assert.Equal("deploys", stats.GetProperty("channels")[0].GetProperty("channel").GetString());
        Assert.Equal(3, stats.GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("""{"topic":"t","data":[1,2]}""", "data: must be a JSON object, not array")]
    [InlineData("""{"topic":"t","data":"text"}""", "data: must be a JSON object, not string")]
    [InlineData("""{"topic":"t"}""", "message: is required")]
    [InlineData("""{"topic":"t","data":{"bad":"\ud800"}}""", "data: contains a string with an unpaired UTF-16 surrogate")]
    public async Task Bad_data_is_a_400_that_says_what_is_wrong(string body, string expected)
    {
        await using var server = await StartAsync();

        using var response = await server.Client.PostAsync("/api/push", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(expected, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(server, "/api/channels?hours=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(server, "/api/channels/messages?channel=has%20space")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(server, "/api/channels/messages?limit=501")).Status);
    }
}
