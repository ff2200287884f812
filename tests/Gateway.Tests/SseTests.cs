using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Herald.Gateway.Sse;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Infrastructure.MessageLog;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Tests;

public sealed class SseTests
{
    private const string DataPattern = @"^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] ";

    [Fact]
    public async Task Stream_sends_a_connection_message_then_each_message_with_its_id_and_timestamp()
    {
        await using var server = await HeraldServer.StartAsync();
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress);

        var response = listener.Response!;
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());

        var connected = await listener.NextAsync();
        Assert.Null(connected.Id);
        Assert.Matches(DataPattern + "Connected to Herald stream$", connected.Data);

        var first = await server.PushAsync("hello");
        var second = await server.PushAsync("two\nlines");
        var messages = await listener.NextMessagesAsync(2);

        Assert.Equal(first.GetProperty("id").GetInt64().ToString(), messages[0].Id);
        Assert.Equal($"[{first.GetProperty("timestamp").GetString()}] hello", messages[0].Data);
        Assert.Equal(second.GetProperty("id").GetInt64().ToString(), messages[1].Id);
        Assert.Matches(DataPattern + "two\nlines$", messages[1].Data);
    }

    [Fact]
    public async Task Keepalive_comments_arrive_at_the_configured_interval()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Sse:KeepAliveInterval"] = "00:00:00.100" });
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress);
        await listener.NextAsync();

        var keepalive = await listener.NextAsync(includeComments: true);
        Assert.Equal("keepalive", keepalive.Comment);
        Assert.Equal("keepalive", (await listener.NextAsync(includeComments: true)).Comment);
    }

    [Fact]
    public async Task Reconnecting_with_last_event_id_replays_the_gap_with_no_hole_and_no_duplicate()
    {
        await using var server = await HeraldServer.StartAsync();
        var ids = new List<string>();
        async Task Push(string text) => ids.Add((await server.PushAsync(text, wait: false)).GetProperty("id").GetInt64().ToString());

        string lastSeen;
        await using (var first = await SseClient.ConnectAsync(server.BaseAddress))
        {
            await first.NextAsync();
            for (var i = 0; i < 5; i++)
                await Push($"before {i}");
            var received = await first.NextMessagesAsync(5);
            Assert.Equal(ids, received.Select(m => m.Id!).ToArray());
            lastSeen = received[^1].Id!;
        }

        for (var i = 0; i < 5; i++)
            await Push($"while away {i}");

        await using var second = await SseClient.ConnectAsync(server.BaseAddress, lastEventId: lastSeen);
        await second.NextAsync();
        for (var i = 0; i < 3; i++)
            await Push($"after {i}");

        var resumed = await second.NextMessagesAsync(8);
        Assert.Equal(ids.Skip(5).ToArray(), resumed.Select(m => m.Id!).ToArray());
        Assert.Matches(DataPattern + "while away 0$", resumed[0].Data);

        // The query form, for clients that cannot set headers, does the same.
        await using var third = await SseClient.ConnectAsync(server.BaseAddress, $"/stream?lastEventId={ids[9]}");
        await third.NextAsync();
        var tail = await third.NextMessagesAsync(3);
        Assert.Equal(ids.Skip(10).ToArray(), tail.Select(m => m.Id!).ToArray());
    }

    [Fact]
    public async Task Json_format_carries_id_topic_timestamp_and_message_in_one_object_and_replays_alike()
    {
        await using var server = await HeraldServer.StartAsync();
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress, "/stream?format=json&topic=orders.*");

        using (var greeting = JsonDocument.Parse((await listener.NextAsync()).Data))
            Assert.Equal("connected", greeting.RootElement.GetProperty("status").GetString());

        await server.PushAsync("skipped", "alerts", wait: false);
        var pushed = await server.PushAsync("two\nlines <b>", "orders.created", wait: false);
        var message = (await listener.NextMessagesAsync(1))[0];

        var id = pushed.GetProperty("id").GetInt64();
        Assert.Equal(id.ToString(), message.Id);
        Assert.DoesNotContain('\n', message.Data);
        using (var body = JsonDocument.Parse(message.Data))
        {
            Assert.Equal(id, body.RootElement.GetProperty("id").GetInt64());
            Assert.Equal("orders.created", body.RootElement.GetProperty("topic").GetString());
            Assert.Equal(pushed.GetProperty("timestamp").GetString(), body.RootElement.GetProperty("timestamp").GetString());
            Assert.Equal("two\nlines <b>", body.RootElement.GetProperty("message").GetString());
        }

        await using var resumed = await SseClient.ConnectAsync(server.BaseAddress, "/stream?format=JSON", lastEventId: (id - 2).ToString());
        await resumed.NextAsync();
        var replayed = await resumed.NextMessagesAsync(2);
        Assert.Equal(["alerts", "orders.created"], replayed.Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("topic").GetString()));
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("1")]
    [InlineData("json,text")]
    public async Task An_unknown_stream_format_is_a_400_that_names_the_choices(string format)
    {
        await using var server = await HeraldServer.StartAsync();

        using var response = await server.Client.GetAsync("/stream?format=" + Uri.EscapeDataString(format));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains("format", error, StringComparison.Ordinal);
        Assert.Contains("'json'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_disconnect_ends_every_stream_and_a_resume_misses_nothing()
    {
        await using var server = await HeraldServer.StartAsync();
        await using var first = await SseClient.ConnectAsync(server.BaseAddress);
        await using var second = await SseClient.ConnectAsync(server.BaseAddress, "/stream?format=json");
        await first.NextAsync();
        await second.NextAsync();
        var before = (await server.PushAsync("before", wait: false)).GetProperty("id").GetInt64();
        await first.NextMessagesAsync(1);

        var answer = await server.PostJsonAsync("/api/stream/disconnect", new { });

        Assert.Equal(2, answer.GetProperty("disconnected").GetInt32());
        await first.Completion.WaitAsync(Eventually.Timeout);
        await second.Completion.WaitAsync(Eventually.Timeout);
        await Eventually.TrueAsync(() => server.Services.GetRequiredService<SseHub>().ConnectionCount == 0, "both listeners are gone");
        Assert.Equal(0, (await server.PostJsonAsync("/api/stream/disconnect", new { })).GetProperty("disconnected").GetInt32());

        var meanwhile = (await server.PushAsync("meanwhile", wait: false)).GetProperty("id").GetInt64();
        await using var back = await SseClient.ConnectAsync(server.BaseAddress, lastEventId: before.ToString());
        await back.NextAsync();
        Assert.Equal(meanwhile.ToString(), (await back.NextMessagesAsync(1))[0].Id);
    }

    [Fact]
    public async Task A_gap_older_than_retention_gets_an_explicit_reset_event()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Log:RetentionCount"] = "10" });
        for (var i = 0; i < 30; i++)
            await server.PushAsync($"m{i}", wait: false);

        await using var listener = await SseClient.ConnectAsync(server.BaseAddress, lastEventId: "2");
        await listener.NextAsync();

        var reset = await listener.NextAsync();
        Assert.Equal("reset", reset.Event);
        var data = JsonDocument.Parse(reset.Data).RootElement;
        Assert.Equal(2, data.GetProperty("requested_after").GetInt64());
        var resumeFrom = data.GetProperty("resume_from").GetInt64();
        Assert.InRange(resumeFrom, 4, 21);
        var replayed = await listener.NextMessagesAsync(31 - (int)resumeFrom);
        Assert.Equal(Enumerable.Range((int)resumeFrom, 31 - (int)resumeFrom).Select(i => i.ToString()).ToArray(), replayed.Select(m => m.Id!).ToArray());
    }

    [Fact]
    public async Task Retention_set_under_the_former_Herald_Stream_section_still_counts_and_the_process_says_to_move_it()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await HeraldServer.StartAsync(
            new Dictionary<string, string?> { ["Herald:Stream:RetentionCount"] = "10", ["Herald:Stream:RetentionAge"] = "02:00:00" }, logs: logs);

        Assert.Equal(10, server.Services.GetRequiredService<IOptions<LogOptions>>().Value.RetentionCount);
        Assert.Contains("Herald:Stream is now Herald:Log: RetentionAge, RetentionCount set under the former name", logs.Text, StringComparison.Ordinal);
        await using var renamed = await HeraldServer.StartAsync(
            new Dictionary<string, string?> { ["Herald:Stream:RetentionCount"] = "10", ["Herald:Log:RetentionCount"] = "20" });
        Assert.Equal(20, renamed.Services.GetRequiredService<IOptions<LogOptions>>().Value.RetentionCount);
    }

    [Fact]
    public async Task An_id_the_log_never_reached_gets_a_reset_event_and_the_live_stream()
    {
        await using var server = await HeraldServer.StartAsync();
        await server.PushAsync("only one", wait: false);

        await using var listener = await SseClient.ConnectAsync(server.BaseAddress, lastEventId: "999");
        await listener.NextAsync();
        var reset = await listener.NextAsync();
        Assert.Equal("reset", reset.Event);
        Assert.Equal(2, JsonDocument.Parse(reset.Data).RootElement.GetProperty("resume_from").GetInt64());

        await server.PushAsync("live", wait: false);
        Assert.Equal("2", (await listener.NextMessagesAsync(1))[0].Id);
    }

    [Fact]
    public async Task Topic_filters_select_messages_and_inbound_topics_need_to_be_named()
    {
        await using var server = await HeraldServer.StartAsync(InboundSigning.Sources);
        await using var orders = await SseClient.ConnectAsync(server.BaseAddress, "/stream?topic=orders.*");
        await using var everything = await SseClient.ConnectAsync(server.BaseAddress);
        await using var inbound = await SseClient.ConnectAsync(server.BaseAddress, "/stream?topic=inbound.*,billing");
        foreach (var listener in new[] { orders, everything, inbound })
            await listener.NextAsync();

        await server.PushAsync("a", topic: "orders.created", wait: false);
        await server.PushAsync("b", wait: false);
        using (var inboundEvent = InboundSigning.Unsigned("ci", "{\"deploy\":\"done\"}", "ci-1", "deploy.finished"))
            (await server.Client.SendAsync(inboundEvent)).EnsureSuccessStatusCode();
        await server.PushAsync("d", topic: "billing", wait: false);
        await server.PushAsync("e", topic: "orders.paid", wait: false);

        Assert.Equal(["1", "5"], (await orders.NextMessagesAsync(2)).Select(m => m.Id!).ToArray());
        Assert.Equal(["1", "2", "4", "5"], (await everything.NextMessagesAsync(4)).Select(m => m.Id!).ToArray());
        Assert.Equal(["3", "4"], (await inbound.NextMessagesAsync(2)).Select(m => m.Id!).ToArray());
    }

    [Fact]
    public async Task A_listener_that_stops_reading_is_disconnected_and_the_others_get_everything()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Sse:BufferCapacity"] = "8" });
        var hub = server.Services.GetRequiredService<SseHub>();

        // A raw socket that sends the request and then never reads, so the server's writes back up.
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = stalled.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /stream HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\n\r\n"));
        await Eventually.TrueAsync(() => hub.ConnectionCount == 1, "the stalled listener is attached");

        await using var healthy = await SseClient.ConnectAsync(server.BaseAddress);
        await healthy.NextAsync();
        Assert.Equal(2, hub.ConnectionCount);

        var big = new string('x', 64 * 1024);
        const int count = 300;
        for (var i = 0; i < count; i++)
            await server.PushAsync($"{i} {big}", wait: false);

        var received = await healthy.NextMessagesAsync(count);
        Assert.Equal(Enumerable.Range(1, count).Select(i => i.ToString()).ToArray(), received.Select(m => m.Id!).ToArray());
        await Eventually.TrueAsync(() => hub.ConnectionCount == 1, "the stalled listener was disconnected");

        // Draining the stalled socket reaches its end: the server closed it.
        var buffer = new byte[1024 * 1024];
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return await stream.ReadAsync(buffer) == 0;
            }
            catch (IOException)
            {
                return true;
            }
        }, "the stalled connection is closed by the server");
    }
}
