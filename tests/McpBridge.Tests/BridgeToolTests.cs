using System.Net.Http.Json;
using System.Text.Json;
using Herald.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Herald.McpBridge.Tests;

/// <summary>Over HTTP to a gateway.</summary>
public sealed class RestBridgeToolTests(RestBridgeFixture bridge) : BridgeToolTests<RestBridgeFixture>(bridge)
{
    [Fact]
    public async Task A_gateway_elsewhere_that_does_not_answer_is_a_tool_error_naming_it()
    {
        const string remote = "http://herald-gateway.invalid:8000";
        await using var client = await BridgeFixture.ConnectStdioAsync(remote);

        var result = await CallAsync(client, "push_webhook", new() { ["message"] = "anyone there?" });

        Assert.True(result.IsError);
        Assert.Contains(remote, Text(result), StringComparison.Ordinal);
        Assert.Contains("could not be reached", Text(result), StringComparison.Ordinal);
    }
}

/// <summary>As an Orleans client calling the grains of a cluster on PostgreSQL.</summary>
public sealed class OrleansBridgeToolTests(OrleansBridgeFixture bridge) : BridgeToolTests<OrleansBridgeFixture>(bridge)
{
    [Fact]
    public async Task A_cluster_whose_database_does_not_answer_is_a_tool_error_naming_it_and_the_bridge_still_serves()
    {
        var nowhere = new Uri(BridgeFixture.StoppedGatewayUrl());
        await using var client = await BridgeFixture.ConnectStdioAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = $"Host=127.0.0.1;Port={nowhere.Port};Username=herald;Database=herald;Timeout=2",
            ["Herald:Cluster:ClusterId"] = "nowhere",
        });

        var result = await CallAsync(client, "get_event_sources");

        Assert.True(result.IsError);
        Assert.Contains("The Herald cluster 'nowhere' could not be reached", Text(result), StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Postgres", Text(result), StringComparison.Ordinal);
        Assert.NotEmpty(await client.ListToolsAsync());
    }

    [Fact]
    public async Task A_push_that_waits_counts_first_attempts_made_on_another_silo()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        Structured(await CallAsync(Bridge.Stdio, "register_webhook", new() { ["url"] = receiver.Url("slow"), ["topics"] = new[] { "mcp.elsewhere" } }));
        receiver.Behave("slow", async (_, _) =>
        {
            await Task.Delay(300);
            return (200, null);
        });

        var result = Structured(await CallAsync(Bridge.Http, "push_webhook", new() { ["message"] = "waited for", ["topic"] = "mcp.elsewhere" }));

        // The webhook grain lives on the silo (the gateway hosts none) and reports to the bridge's own observer.
        Assert.Equal(1, result.GetProperty("webhooks_notified").GetInt32());
        Assert.Equal("Delivered to 1 of 1 webhooks", result.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task A_push_given_a_gateway_address_goes_there_over_http()
    {
        var gateway = Bridge.Gateway.BaseAddress;

        var result = Structured(await CallAsync(Bridge.Stdio, "push_stream", new() { ["message"] = "by address", ["host"] = "localhost", ["port"] = gateway.Port }));

        Assert.Equal(gateway.GetLeftPart(UriPartial.Authority), result.GetProperty("gateway").GetString());
    }
}

/// <summary>Every tool, through both ways the bridge reaches Herald: the answers must not differ.</summary>
public abstract class BridgeToolTests<TFixture>(TFixture bridge) : IClassFixture<TFixture>
    where TFixture : BridgeFixture
{
    protected TFixture Bridge => bridge;

    private static readonly string[] ToolNames =
    [
        "push_webhook", "push_stream", "register_webhook", "unregister_webhook", "list_webhooks", "get_webhook_status",
        "get_recent_events", "get_event_by_id", "get_events_since", "get_event_sources", "get_event_summary",
        "get_repo_activity", "summarize_commits", "get_pr_activity", "wait_for_event", "list_tracked_repos",
        "get_recent_pushes", "get_recent_deployments", "get_deployment_status", "correlate_push_to_deployment",
        "get_pending_actions", "mark_action_complete", "get_recent_stripe_events",
        "subscribe_to_events", "list_subscriptions", "unsubscribe_from_events",
        "publish_event", "get_channel_stats", "get_recent_messages",
    ];

    protected static JsonElement Structured(CallToolResult result)
    {
        Assert.True(result.IsError is not true, Text(result));
        Assert.NotNull(result.StructuredContent);
        var structured = result.StructuredContent!.Value;
        Assert.Equal(JsonValueKind.Object, structured.ValueKind);

        // The JSON text in the content mirrors the structured output (escaping aside).
        Assert.Equal(JsonSerializer.Serialize(structured), JsonSerializer.Serialize(JsonDocument.Parse(Text(result)).RootElement));
        return structured;
    }

    protected static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    protected static Task<CallToolResult> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null, CancellationToken cancellationToken = default) =>
        client.CallToolAsync(tool, arguments ?? [], cancellationToken: cancellationToken).AsTask();

    [Fact]
    public async Task Both_transports_list_every_tool_with_a_description_a_schema_and_consistent_annotations()
    {
        foreach (var client in new[] { bridge.Stdio, bridge.Http })
        {
            var tools = await client.ListToolsAsync();
            Assert.Equal(ToolNames.Order().ToArray(), tools.Select(t => t.Name).Order().ToArray());
            foreach (var tool in tools.Select(t => t.ProtocolTool))
            {
                Assert.False(string.IsNullOrWhiteSpace(tool.Description), tool.Name);
                Assert.Equal(JsonValueKind.Object, tool.InputSchema.ValueKind);
                Assert.NotNull(tool.OutputSchema);
                Assert.NotNull(tool.Annotations);
                var readOnly = tool.Name.StartsWith("get_", StringComparison.Ordinal)
                               || tool.Name is "list_webhooks" or "list_tracked_repos" or "list_subscriptions" or "summarize_commits" or "wait_for_event" or "correlate_push_to_deployment";
                Assert.True(tool.Annotations!.ReadOnlyHint == readOnly, $"{tool.Name} readOnlyHint");
                Assert.True(tool.Annotations.DestructiveHint == (tool.Name is "unregister_webhook" or "unsubscribe_from_events"), $"{tool.Name} destructiveHint");
            }

            var push = tools.Single(t => t.Name == "push_webhook").ProtocolTool.InputSchema;
            Assert.Equal(["message"], push.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).ToArray());
            Assert.True(push.GetProperty("properties").TryGetProperty("topic", out _));
        }
    }

    [Fact]
    public async Task Push_webhook_reaches_three_receivers_and_reports_three()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        for (var i = 0; i < 3; i++)
            Structured(await CallAsync(bridge.Stdio, "register_webhook", new() { ["url"] = receiver.Url($"three-{i}"), ["topics"] = new[] { "mcp.three" } }));

        var result = Structured(await CallAsync(bridge.Stdio, "push_webhook", new() { ["message"] = "from an assistant", ["topic"] = "mcp.three" }));

        Assert.Equal("Delivered to 3 of 3 webhooks", result.GetProperty("summary").GetString());
        Assert.Equal(3, result.GetProperty("webhooks_notified").GetInt32());
        Assert.Equal(bridge.PushedThrough, result.GetProperty("gateway").GetString());
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal("from an assistant", Assert.Single(receiver.Delivered($"three-{i}")).Message));
    }

    [Fact]
    public async Task Push_stream_is_seen_by_an_sse_listener_and_reports_the_clients()
    {
        await using var listener = await SseClient.ConnectAsync(bridge.Gateway.BaseAddress, "/stream?topic=mcp.stream");
        await listener.NextAsync();

        var result = Structured(await CallAsync(bridge.Http, "push_stream", new() { ["message"] = "to the stream", ["topic"] = "mcp.stream" }));

        Assert.True(result.GetProperty("clients").GetInt32() >= 1);
        Assert.StartsWith("Sent to ", result.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(bridge.PushedThrough, result.GetProperty("gateway").GetString());
        var message = (await listener.NextMessagesAsync(1))[0];
        Assert.Equal(result.GetProperty("id").GetInt64().ToString(), message.Id);
        Assert.EndsWith("] to the stream", message.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_list_status_and_unregister_round_trip()
    {
        const string url = "http://127.0.0.1:9/mcp-round-trip";
        var registered = Structured(await CallAsync(bridge.Http, "register_webhook", new() { ["url"] = url, ["topics"] = new[] { "orders.*" } }));
        var id = registered.GetProperty("id").GetString()!;
        Assert.StartsWith("whsec_", registered.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.True(Structured(await CallAsync(bridge.Http, "register_webhook", new() { ["url"] = url })).GetProperty("already_registered").GetBoolean());

        var listed = Structured(await CallAsync(bridge.Stdio, "list_webhooks"));
        var entry = listed.GetProperty("webhooks").EnumerateArray().Single(w => w.GetProperty("id").GetString() == id);
        Assert.Equal(["orders.*"], entry.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray());
        var status = Structured(await CallAsync(bridge.Stdio, "get_webhook_status", new() { ["id_or_url"] = url }));
        Assert.Equal(id, status.GetProperty("endpoint").GetProperty("id").GetString());

        Structured(await CallAsync(bridge.Stdio, "unregister_webhook", new() { ["url_or_id"] = id }));
        Assert.DoesNotContain(Structured(await CallAsync(bridge.Stdio, "list_webhooks")).GetProperty("webhooks").EnumerateArray(), w => w.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Webhook_status_and_list_show_custom_header_values_masked()
    {
        const string url = "http://127.0.0.1:9/mcp-masked-headers";
        using var created = await bridge.Gateway.Client.PostAsJsonAsync("/api/endpoints",
            new { url, topics = new[] { "masked.only" }, headers = new Dictionary<string, string> { ["Authorization"] = "Bearer receiver-token-SECRET" } });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var status = await CallAsync(bridge.Stdio, "get_webhook_status", new() { ["id_or_url"] = url });
        Assert.Equal("****CRET", Structured(status).GetProperty("endpoint").GetProperty("headers").GetProperty("Authorization").GetString());
        var listed = await CallAsync(bridge.Http, "list_webhooks");
        foreach (var result in new[] { status, listed })
            Assert.DoesNotContain("receiver-token", JsonSerializer.Serialize(result), StringComparison.Ordinal);

        // The fixture's hub is shared: the other tests count its webhooks.
        (await bridge.Gateway.Client.DeleteAsync($"/api/endpoints/{id}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Wait_for_event_returns_an_inbound_event_posted_during_the_wait_with_progress_and_times_out_otherwise()
    {
        var progress = new List<ProgressNotificationValue>();
        var reporter = new SynchronousProgress(progress);
        var waiting = bridge.Stdio.CallToolAsync("wait_for_event", new Dictionary<string, object?> { ["source"] = "ci", ["timeout_seconds"] = 30 }, reporter).AsTask();

        // The bridge reports progress while it waits: proof the long-poll is open before the event is posted.
        await Eventually.TrueAsync(() => progress.Count > 0, "the waiting tool reported progress");
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(bridge.Gateway.BaseAddress, "/webhook/ci")) { Content = JsonContent.Create(new { deploy = "done" }) };
        post.Headers.Add("X-Event", "deploy.finished");
        using var posted = await bridge.Gateway.Client.SendAsync(post);
        var eventId = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("event_id").GetInt64();

        var result = Structured(await waiting);
        Assert.False(result.GetProperty("timed_out").GetBoolean());
        Assert.Equal(eventId, result.GetProperty("event").GetProperty("id").GetInt64());
        Assert.Equal(eventId, result.GetProperty("cursor").GetInt64());
        Assert.Equal("deploy.finished", result.GetProperty("event").GetProperty("type").GetString());
        Assert.Contains("Still waiting", progress[0].Message, StringComparison.Ordinal);

        var timedOut = Structured(await CallAsync(bridge.Http, "wait_for_event", new() { ["after"] = eventId, ["source"] = "ci", ["timeout_seconds"] = 1 }));
        Assert.True(timedOut.GetProperty("timed_out").GetBoolean());
        Assert.True(timedOut.GetProperty("cursor").GetInt64() >= eventId);
    }

    [Fact]
    public async Task Deployment_tools_follow_signed_github_and_vercel_webhooks()
    {
        // Names and a sha of this test's own, so other tests' events in the shared Herald do not count.
        var unique = Guid.NewGuid().ToString("N");
        var repo = $"octo-org/mcp-{unique[..8]}";
        var project = $"shop-{unique[..8]}";
        var sha = unique + unique[..8];
        var push = InboundSigning.Sample("github-push.json")
            .Replace("octo-org/hello-world", repo, StringComparison.Ordinal)
            .Replace("3e1f0a2b4c6d8e9f0a1b2c3d4e5f60718293a4b5", sha, StringComparison.Ordinal);
        var deployment = InboundSigning.Sample("vercel-deployment.succeeded.json")
            .Replace("Wm8DqyL4ZQ6sXfR3cT9kVb2n", unique, StringComparison.Ordinal)
            .Replace("\"storefront\"", $"\"{project}\"", StringComparison.Ordinal)
            .Replace("9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b1d", sha, StringComparison.Ordinal);
        await PostAsync(InboundSigning.GitHub("push", push, unique));
        await PostAsync(InboundSigning.Vercel(deployment));

        var pushes = Structured(await CallAsync(bridge.Stdio, "get_recent_pushes", new() { ["repo"] = repo, ["limit"] = 2 }));
        Assert.Equal(2, pushes.GetProperty("count").GetInt32());
        Assert.Equal("c9a8b7f6e5d4c3b2a1908172635449a1b2c3d4e5", pushes.GetProperty("pushes")[0].GetProperty("sha").GetString());
        var deployments = Structured(await CallAsync(bridge.Http, "get_recent_deployments", new() { ["project"] = project }));
        Assert.Equal("ready", Assert.Single(deployments.GetProperty("deployments").EnumerateArray()).GetProperty("status").GetString());
        var status = Structured(await CallAsync(bridge.Stdio, "get_deployment_status", new() { ["project"] = project }));
        Assert.Equal(1, status.GetProperty("by_status").GetProperty("ready").GetInt32());
        Assert.StartsWith($"{project}: ready", status.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var correlated = Structured(await CallAsync(bridge.Http, "correlate_push_to_deployment", new() { ["commit_sha"] = sha[..7] }));
        Assert.Equal(repo, correlated.GetProperty("push").GetProperty("repo").GetString());
        Assert.Equal(project, correlated.GetProperty("deployment").GetProperty("project").GetString());
        Assert.Contains("became", correlated.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var tracked = Structured(await CallAsync(bridge.Stdio, "list_tracked_repos"));
        Assert.Contains(tracked.GetProperty("repos").EnumerateArray(), r => r.GetProperty("repo").GetString() == repo);
        var activity = Structured(await CallAsync(bridge.Http, "get_repo_activity", new() { ["repo"] = repo }));
        Assert.Equal(1, activity.GetProperty("activity").GetProperty("total_events").GetInt32());
        Assert.Equal(1, activity.GetProperty("activity").GetProperty("events_by_type").GetProperty("push").GetInt32());
    }

    [Fact]
    public async Task Action_tools_list_complete_and_count_the_actions_of_signed_stripe_events()
    {
        // Events of this test's own (a unique Stripe event id each), found again by their event ids.
        var unique = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var welcome = await PostAsync(InboundSigning.Stripe(InboundSigning.Sample("stripe-checkout.session.completed.json").Replace("evt_1PE8aB2eZvKYlo2CcHeCkOuT", $"evt_w{unique}", StringComparison.Ordinal), now));
        var failed = await PostAsync(InboundSigning.Stripe(InboundSigning.Sample("stripe-invoice.payment_failed.json").Replace("evt_1PE7fM2eZvKYlo2CnO8pQ9rS", $"evt_f{unique}", StringComparison.Ordinal), now));

        var pending = Structured(await CallAsync(bridge.Stdio, "get_pending_actions"));
        var mine = pending.GetProperty("actions").EnumerateArray().Where(a => a.GetProperty("event_id").GetInt64() is var id && (id == welcome || id == failed)).ToArray();
        Assert.Equal(["send_welcome_email", "send_payment_failed_email"], mine.Select(a => a.GetProperty("type").GetString()!).ToArray());
        Assert.Equal("new.customer@example.com", mine[0].GetProperty("fields").GetProperty("customer_email").GetString());
        Assert.True(Structured(await CallAsync(bridge.Http, "get_event_summary")).GetProperty("pending_actions").GetInt32() >= 2);

        var id = mine[0].GetProperty("id").GetString()!;
        var done = Structured(await CallAsync(bridge.Http, "mark_action_complete", new() { ["action_id"] = id, ["details"] = "Welcomed" }));
        var again = Structured(await CallAsync(bridge.Stdio, "mark_action_complete", new() { ["action_id"] = id, ["details"] = "twice" }));
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("mcp", done.GetProperty("action").GetProperty("completed_by").GetString());
        Assert.Equal("already_completed", again.GetProperty("status").GetString());
        Assert.Equal("Welcomed", again.GetProperty("action").GetProperty("details").GetString());
        var missing = Structured(await CallAsync(bridge.Stdio, "mark_action_complete", new() { ["action_id"] = "act_987654321_send_welcome_email" }));
        Assert.Equal("not_found", missing.GetProperty("status").GetString());

        var stripe = Structured(await CallAsync(bridge.Http, "get_recent_stripe_events", new() { ["limit"] = 200 }));
        var welcomed = stripe.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("event").GetProperty("id").GetInt64() == welcome);
        Assert.Equal("completed", Assert.Single(welcomed.GetProperty("actions").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_subscription_gives_each_event_once_to_waits_that_keep_no_cursor()
    {
        var name = $"ci-{Guid.NewGuid():N}"[..20];
        var subscribed = Structured(await CallAsync(bridge.Stdio, "subscribe_to_events", new() { ["sources"] = new[] { "ci" }, ["callback_description"] = "Report CI", ["name"] = name }));
        Assert.True(subscribed.GetProperty("created").GetBoolean());
        Assert.Contains($"wait_for_event(subscription=\"{name}\")", subscribed.GetProperty("summary").GetString(), StringComparison.Ordinal);

        var ids = new List<long>();
        foreach (var build in new[] { "one", "two" })
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, "/webhook/ci") { Content = JsonContent.Create(new { build }) };
            post.Headers.Add("X-Event", "build.finished");
            ids.Add(await PostAsync(post));
        }

        var first = Structured(await CallAsync(bridge.Http, "wait_for_event", new() { ["subscription"] = name, ["timeout_seconds"] = 5 }));
        var second = Structured(await CallAsync(bridge.Stdio, "wait_for_event", new() { ["subscription"] = name, ["timeout_seconds"] = 5 }));
        var third = Structured(await CallAsync(bridge.Http, "wait_for_event", new() { ["subscription"] = name, ["timeout_seconds"] = 0 }));
        Assert.Equal(ids, [first.GetProperty("event").GetProperty("id").GetInt64(), second.GetProperty("event").GetProperty("id").GetInt64()]);
        Assert.True(third.GetProperty("timed_out").GetBoolean());
        Assert.Contains(Structured(await CallAsync(bridge.Http, "list_subscriptions")).GetProperty("subscriptions").EnumerateArray(),
            s => s.GetProperty("name").GetString() == name && s.GetProperty("cursor").GetInt64() >= ids[1]);

        Assert.True(Structured(await CallAsync(bridge.Stdio, "unsubscribe_from_events", new() { ["name"] = name })).GetProperty("was_subscribed").GetBoolean());
        Assert.False(Structured(await CallAsync(bridge.Stdio, "unsubscribe_from_events", new() { ["name"] = name })).GetProperty("was_subscribed").GetBoolean());
    }

    [Fact]
    public async Task Publish_event_reaches_matching_listeners_only_and_reads_back_by_channel()
    {
        var channel = $"mcp.channel-{Guid.NewGuid():N}"[..24];
        await using var matching = await SseClient.ConnectAsync(bridge.Gateway.BaseAddress, $"/stream?topic={channel}&format=json");
        await using var other = await SseClient.ConnectAsync(bridge.Gateway.BaseAddress, "/stream?topic=mcp.somewhere-else");
        await Task.WhenAll(matching.NextAsync(), other.NextAsync());

        var published = Structured(await CallAsync(bridge.Stdio, "publish_event", new() { ["channel"] = channel, ["event_data"] = new { status = "deployed", version = "1.4.2" } }));

        Assert.Equal("published", published.GetProperty("status").GetString());
        Assert.Equal(1, published.GetProperty("clients").GetInt32());
        Assert.Equal(bridge.PushedThrough, published.GetProperty("gateway").GetString());
        var frame = JsonDocument.Parse((await matching.NextMessagesAsync(1))[0].Data).RootElement;
        Assert.Equal("1.4.2", frame.GetProperty("data").GetProperty("version").GetString());
        var array = await CallAsync(bridge.Http, "publish_event", new() { ["channel"] = channel, ["event_data"] = new[] { 1, 2 } });
        Assert.True(array.IsError);
        Assert.Contains("event_data must be a JSON object, not array", Text(array), StringComparison.Ordinal);
        var stream = Structured(await CallAsync(bridge.Http, "push_stream", new() { ["message"] = "to nobody", ["topic"] = "mcp.nobody-listens" }));
        Assert.Equal(0, stream.GetProperty("clients").GetInt32());

        var messages = Structured(await CallAsync(bridge.Http, "get_recent_messages", new() { ["channel"] = channel }));
        var message = Assert.Single(messages.GetProperty("messages").EnumerateArray());
        Assert.Equal(published.GetProperty("id").GetInt64(), message.GetProperty("id").GetInt64());
        Assert.Equal("deployed", message.GetProperty("data").GetProperty("status").GetString());
        var stats = Structured(await CallAsync(bridge.Stdio, "get_channel_stats", new() { ["hours"] = 1 }));
        Assert.Contains(stats.GetProperty("channels").EnumerateArray(), c => c.GetProperty("channel").GetString() == channel && c.GetProperty("messages").GetInt64() == 1);
    }

    private async Task<long> PostAsync(HttpRequestMessage request)
    {
        using (request)
        {
            request.RequestUri = new Uri(bridge.Gateway.BaseAddress, request.RequestUri!);
            using var response = await bridge.Gateway.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, text);
            return JsonDocument.Parse(text).RootElement.GetProperty("event_id").GetInt64();
        }
    }

    [Theory]
    [InlineData("push_webhook", "message", "", "message must not be empty")]
    [InlineData("push_stream", "message", "   ", "message must not be empty")]
    [InlineData("get_recent_events", "limit", 500, "limit must be from 1 to 100")]
    [InlineData("get_event_by_id", "id", 987654321, "No inbound event has the id")]
    [InlineData("get_webhook_status", "id_or_url", "http://127.0.0.1:9/never-registered", "No webhook is registered")]
    [InlineData("unregister_webhook", "url_or_id", "", "url_or_id must not be empty")]
    [InlineData("get_event_by_id", "id", "seven", "id must be an integer, not \"seven\"")]
    [InlineData("summarize_commits", "repo", "no-slash", "repo must be owner/name")]
    [InlineData("register_webhook", "url", "ftp://example.com", "Herald refused the registration")]
    [InlineData("correlate_push_to_deployment", "commit_sha", "not-a-sha", "commit_sha must be 4 to 40 hexadecimal digits")]
    [InlineData("get_deployment_status", "project", " ", "project must name a Vercel project")]
    [InlineData("get_recent_pushes", "limit", 0, "limit must be from 1 to 200")]
    [InlineData("get_recent_deployments", "limit", 500, "limit must be from 1 to 200")]
    [InlineData("mark_action_complete", "details", "neither a type nor an id", "Give either action_type")]
    [InlineData("mark_action_complete", "action_type", "launch_rockets", "'launch_rockets' is not an action any rule makes")]
    [InlineData("get_pending_actions", "status", "maybe", "status must be pending, completed or all")]
    [InlineData("get_recent_stripe_events", "limit", 0, "limit must be from 1 to 200")]
    [InlineData("subscribe_to_events", "sources", new[] { "nowhere" }, "'nowhere' is not a configured inbound source")]
    [InlineData("wait_for_event", "subscription", "never-made", "No subscription is named 'never-made'")]
    [InlineData("unsubscribe_from_events", "name", "", "name must name a subscription")]
    [InlineData("publish_event", "channel", "deploys", "event_data")]
    [InlineData("get_channel_stats", "hours", 0, "hours must be from 1 to 8760")]
    [InlineData("get_recent_messages", "limit", 501, "limit must be from 1 to 500")]
    public async Task Bad_arguments_give_an_actionable_tool_error(string tool, string argument, object value, string expected)
    {
        var result = await CallAsync(bridge.Http, tool, new() { [argument] = value });

        Assert.True(result.IsError);
        Assert.Contains(expected, Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_calls_are_counted_by_tool_and_outcome_in_the_http_bridges_metrics()
    {
        static double Calls(PrometheusText scrape, string tool, string outcome) =>
            scrape.Sum("herald_mcp_tool_calls_total", ("tool", tool), ("outcome", outcome));
        var before = await PrometheusText.ScrapeAsync(bridge.HttpBridge.Client);

        Structured(await CallAsync(bridge.Http, "list_webhooks"));
        Assert.True((await CallAsync(bridge.Http, "get_recent_pushes", new() { ["limit"] = 0 })).IsError);
        Assert.True((await CallAsync(bridge.Http, "get_event_by_id", new() { ["id"] = "abc" })).IsError);

        await Eventually.TrueAsync(async () =>
        {
            var after = await PrometheusText.ScrapeAsync(bridge.HttpBridge.Client);
            return Calls(after, "list_webhooks", "success") - Calls(before, "list_webhooks", "success") == 1 &&
                   Calls(after, "get_recent_pushes", "error") - Calls(before, "get_recent_pushes", "error") == 1 &&
                   Calls(after, "get_event_by_id", "invalid_arguments") - Calls(before, "get_event_by_id", "invalid_arguments") == 1;
        }, "one success, one tool error and one refused argument, each under its tool");
    }

    [Fact]
    public async Task Unregistering_twice_succeeds_and_says_the_second_time_that_nothing_was_registered()
    {
        const string url = "http://127.0.0.1:9/mcp-twice";
        var id = Structured(await CallAsync(bridge.Http, "register_webhook", new() { ["url"] = url })).GetProperty("id").GetString()!;

        var first = Structured(await CallAsync(bridge.Stdio, "unregister_webhook", new() { ["url_or_id"] = id }));
        var second = Structured(await CallAsync(bridge.Stdio, "unregister_webhook", new() { ["url_or_id"] = id }));
        var byUrl = Structured(await CallAsync(bridge.Http, "unregister_webhook", new() { ["url_or_id"] = url }));

        Assert.True(first.GetProperty("was_registered").GetBoolean());
        Assert.False(second.GetProperty("was_registered").GetBoolean());
        Assert.False(byUrl.GetProperty("was_registered").GetBoolean());
        Assert.Contains("was not registered", second.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    // Progress<T> posts to the thread pool; this records in order, at once, so the test can wait on it.
    private sealed class SynchronousProgress(List<ProgressNotificationValue> values) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value)
        {
            lock (values)
                values.Add(value);
        }
    }
}
