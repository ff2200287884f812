using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary><c>GET /metrics</c>: Herald's meters, Orleans's and ASP.NET Core's, scraped from a real gateway as Prometheus would.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Pushes_deliveries_sse_and_inbound_events_move_their_series()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(HeraldServer.WithMetrics(InboundSigning.Sources));
        await server.CreateEndpointAsync(receiver.Url("a"));
        await server.CreateEndpointAsync(receiver.Url("b"));
        var before = await PrometheusText.ScrapeAsync(server.Client);
        Assert.Equal(0, before.Sum("herald_pushes_total"));
        Assert.Equal(0, before.Sum("herald_sse_connections"));

        await using (var listener = await SseClient.ConnectAsync(server.BaseAddress))
        {
            for (var i = 0; i < 3; i++)
                await server.PushAsync($"m{i}");
            var live = await listener.NextMessagesAsync(3);
            await Eventually.TrueAsync(async () =>
            {
                var scrape = await PrometheusText.ScrapeAsync(server.Client);
                return scrape.Sum("herald_sse_connections") == 1 && scrape.Sum("herald_sse_frames_total", ("kind", "live")) == 3;
            }, "one open stream that got the three messages");

            // A second listener resumes after the first message: two frames replayed from the log.
            await using var resumed = await SseClient.ConnectAsync(server.BaseAddress, lastEventId: live[0].Id);
            await resumed.NextMessagesAsync(2);
        }

        using (var first = InboundSigning.Unsigned("ci", """{"build":1}""", delivery: "d-1"))
            Assert.Equal(HttpStatusCode.Accepted, (await server.Client.SendAsync(first)).StatusCode);
        using (var again = InboundSigning.Unsigned("ci", """{"build":1}""", delivery: "d-1"))
            Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(again)).StatusCode);
        using (var forged = InboundSigning.GitHub("push", "{}", "g-1", secret: "not-the-secret"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.SendAsync(forged)).StatusCode);
        using (var unknown = InboundSigning.Unsigned("nowhere-" + Guid.NewGuid().ToString("N"), "{}"))
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.SendAsync(unknown)).StatusCode);

        PrometheusText after = null!;
        await Eventually.TrueAsync(async () =>
        {
            after = await PrometheusText.ScrapeAsync(server.Client);
            return after.Sum("herald_delivery_attempts_total") == 6 && after.Sum("herald_sse_connections") == 0 &&
                   after.Sum("herald_inbound_events_total") == 4;
        }, "six attempts recorded, both streams closed and four inbound requests counted");

        Assert.Equal("counter", after.Types["herald_pushes_total"]);
        Assert.Equal(3, after.Sum("herald_pushes_total"));
        Assert.Equal(6, after.Sum("herald_delivery_attempts_total", ("outcome", "succeeded"), ("status_class", "2xx")));
        Assert.Equal(6, after.Sum("herald_delivery_latency_seconds_count"));
        Assert.Equal(6, after.Sum("herald_delivery_attempt_duration_seconds_count", ("status_class", "2xx")));
        Assert.Equal(6, after.Sum("herald_delivery_latency_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(2, after.Sum("herald_sse_connections_opened_total"));
        Assert.Equal(1, after.Sum("herald_sse_replays_total"));
        Assert.Equal(2, after.Sum("herald_sse_frames_total", ("kind", "replay")));
        Assert.Equal(0, after.Sum("herald_sse_overflow_disconnects_total"));
        Assert.Equal(1, after.Sum("herald_inbound_events_total", ("source", "ci"), ("verdict", "received")));
        Assert.Equal(1, after.Sum("herald_inbound_events_total", ("source", "ci"), ("verdict", "duplicate")));
        Assert.Equal(1, after.Sum("herald_inbound_events_total", ("source", "github"), ("verdict", "unverified")));

        // An unknown source's name comes from the URL: it is counted under one label, never as a series of its own.
        Assert.Equal(1, after.Sum("herald_inbound_events_total", ("source", "unconfigured"), ("verdict", "unknown_source")));
        Assert.DoesNotContain(after.Samples, s => s.Labels.Values.Any(v => v.StartsWith("nowhere-", StringComparison.Ordinal)));

        // Caught up: nothing lags, and the storage backlog is a gauge that exists from the start.
        Assert.Equal(0, after.Sum("herald_endpoint_lag_seconds"));
        Assert.Equal(0, after.Sum("herald_endpoints_lagging"));
        Assert.Equal(2, after.Sum("herald_webhook_grains_active"));
        Assert.True(after.Has("herald_storage_pending_writes"));

        // No endpoint id or receiver address is ever a label: not in Herald's series, nor in HttpClient's.
        var receiverPort = receiver.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(after.Samples, s => s.Name.StartsWith("http_client_", StringComparison.Ordinal));
        // (Kestrel's series name the server's own address; in this test process the receiver's Kestrel is one of them.)
        Assert.DoesNotContain(after.Samples.Where(s => s.Name.StartsWith("herald_", StringComparison.Ordinal) || s.Name.StartsWith("http_client_", StringComparison.Ordinal)),
            s => s.Labels.Values.Any(v => v.Contains(receiverPort, StringComparison.Ordinal) || v.StartsWith("ep_", StringComparison.Ordinal)));

        // Beside Herald's own: Orleans's runtime meter, ASP.NET Core's request metrics and the .NET runtime's.
        Assert.Contains(after.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.True(after.Sum("http_server_request_duration_seconds_count", ("http_route", "/api/push")) >= 3);
        Assert.Contains(after.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_endpoint_shows_as_retries_and_lag_and_a_gone_one_as_disabled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("failing", _ => 500);
        receiver.Answer("gone", _ => 410);
        await using var server = await HeraldServer.StartAsync(HeraldServer.WithMetrics(new Dictionary<string, string?>
        {
            // The first retry waits a minute: long enough to see the lag while it waits.
            ["Herald:Delivery:RetrySchedule:0"] = "00:01:00",
        }));
        await server.CreateEndpointAsync(receiver.Url("failing"));
        await server.CreateEndpointAsync(receiver.Url("gone"));
        await server.PushAsync("first");

        PrometheusText scrape = null!;
        await Eventually.TrueAsync(async () =>
        {
            scrape = await PrometheusText.ScrapeAsync(server.Client);
            return scrape.Sum("herald_endpoint_lag_seconds") > 0.2 && scrape.Sum("herald_endpoints_disabled_total") == 1;
        }, "the failing endpoint's lag grows while it waits to retry, and the gone one is disabled");

        Assert.Equal(1, scrape.Sum("herald_delivery_attempts_total", ("outcome", "retrying"), ("status_class", "5xx")));
        Assert.Equal(1, scrape.Sum("herald_delivery_attempts_total", ("outcome", "disabled"), ("status_class", "4xx")));
        Assert.Equal(1, scrape.Sum("herald_endpoints_disabled_total", ("reason", "gone")));
        Assert.Equal(1, scrape.Sum("herald_endpoints_lagging"));
        Assert.Equal(0, scrape.Sum("herald_delivery_latency_seconds_count"));
    }

    [Fact]
    public async Task With_keys_configured_a_scrape_needs_the_read_scope()
    {
        await using var server = await HeraldServer.StartAsync(HeraldServer.WithMetrics(TestKeys.Settings()));
        using (var anonymous = await server.Client.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("API key is required", (await anonymous.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            request.Headers.Authorization = new("Bearer", TestKeys.ByScope["stream"]);
            using var streamOnly = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, streamOnly.StatusCode);
            Assert.Contains("'read' scope", (await streamOnly.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        var scrape = await PrometheusText.ScrapeAsync(server.Client, TestKeys.ByScope["read"]);
        Assert.True(scrape.Has("herald_storage_pending_writes"));
    }

    [Fact]
    public async Task Public_metrics_need_no_key_other_methods_are_refused_and_metrics_can_be_turned_off()
    {
        var settings = HeraldServer.WithMetrics(TestKeys.Settings());
        settings["Herald:Telemetry:PublicMetrics"] = "true";
        await using (var open = await HeraldServer.StartAsync(settings))
            Assert.True((await PrometheusText.ScrapeAsync(open.Client)).Has("herald_storage_pending_writes"));

        await using (var open = await HeraldServer.StartAsync(HeraldServer.WithMetrics()))
        {
            using var posted = await open.Client.PostAsync("/metrics", null);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode);
            Assert.Contains("scrape it with GET", (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
            using var nul = await open.Client.GetAsync("/metrics?name=%00");
            Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        }

        await using var off = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Telemetry:Metrics"] = "false" });
        using var response = await off.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No route matches GET /metrics", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }
}
