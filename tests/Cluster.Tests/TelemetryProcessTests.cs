using System.Net.Http.Json;
using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Cluster.Tests;

/// <summary>Metrics and logs of the real executables: a headless silo's own <c>/metrics</c>, and JSON logs with trace ids.</summary>
public sealed class TelemetryProcessTests
{
    private static async Task RegisterAndPushAsync(HeraldProcess gateway, string url, string message)
    {
        using (var created = await gateway.Client.PostAsJsonAsync("/api/endpoints", new { url }))
            created.EnsureSuccessStatusCode();
        using var pushed = await gateway.Client.PostAsJsonAsync("/api/push", new { message });
        pushed.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Once_keys_exist_a_headless_silos_metrics_need_a_read_key_like_a_gateways()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1", TestKeys.ProcessSettings()), cluster.GatewayAsync("gateway", extra: TestKeys.ProcessSettings()));

        foreach (var process in processes)
        {
            using (var anonymous = await process.Client.GetAsync("/metrics"))
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var pushOnly = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", TestKeys.ByScope["push"]) } };
            using (var forbidden = await process.Client.SendAsync(pushOnly))
                Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden.StatusCode);
            using var read = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", TestKeys.ByScope["read"]) } };
            using var scraped = await process.Client.SendAsync(read);
            Assert.Equal(System.Net.HttpStatusCode.OK, scraped.StatusCode);
            Assert.Contains("herald_", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Health stays open: orchestrators probe without keys.
        using var health = await processes[0].Client.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task In_a_cluster_the_silo_that_delivers_counts_the_attempts_and_the_gateway_counts_the_push()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1"), cluster.GatewayAsync("gateway-a"));
        var (silo, gateway) = (processes[0], processes[1]);
        await ClusterHarness.ActiveAsync(gateway, "silo-1");
        await ClusterHarness.RegisterReceiversAsync(gateway, receiver, 3);
        using (var pushed = await gateway.Client.PostAsJsonAsync("/api/push", new { message = "counted" }))
            pushed.EnsureSuccessStatusCode();

        await Eventually.TrueAsync(async () => (await PrometheusText.ScrapeAsync(silo.Client)).Sum("herald_delivery_attempts_total", ("outcome", "succeeded")) == 3,
            "the silo, which hosts every webhook grain, counted three successful attempts");
        var onSilo = await PrometheusText.ScrapeAsync(silo.Client);
        var onGateway = await PrometheusText.ScrapeAsync(gateway.Client);
        Assert.Equal(3, onSilo.Sum("herald_webhook_grains_active"));
        Assert.Equal(0, onGateway.Sum("herald_delivery_attempts_total"));
        Assert.Equal(0, onGateway.Sum("herald_webhook_grains_active"));

        // The broadcaster is a stateless worker beside the gateway that took the push.
        Assert.Equal(1, onGateway.Sum("herald_pushes_total"));
        Assert.Contains(onSilo.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.True(onSilo.Has("herald_storage_pending_writes"));
    }

    [Fact]
    public async Task With_an_otlp_collector_named_traces_and_metrics_are_exported_to_it()
    {
        // A plain HTTP endpoint stands in for the collector: OTLP over HTTP posts protobuf to /v1/traces and /v1/metrics,
        // and a span's name is in its protobuf as UTF-8.
        await using var collector = await WebhookReceiver.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await HeraldProcess.StartAsync("gateway-otlp", "Gateway", new Dictionary<string, string> { ["Herald:Storage"] = "Memory" },
            environment: new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress.ToString().TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            });
        await gateway.WaitReadyAsync();
        await RegisterAndPushAsync(gateway, receiver.Url("a"), "exported");

        await Eventually.TrueAsync(() => collector.All("/v1/traces").Any(r => r.Body.Contains("herald.deliver", StringComparison.Ordinal)) &&
                                         collector.All("/v1/metrics").Any(r => r.Body.Contains("herald.delivery.attempts", StringComparison.Ordinal)),
            "the attempt's span and the attempts counter reached the collector");
        var export = collector.All("/v1/traces")[0];
        Assert.Equal("application/x-protobuf", export.Headers["content-type"]);
        Assert.Contains(collector.All("/v1/traces"), r => r.Body.Contains("herald-gateway", StringComparison.Ordinal));

        // The delivery itself carried no trace header: the receiver is not the operator's.
        Assert.DoesNotContain("traceparent", Assert.Single(receiver.Requests).Headers.Keys);
    }

    [Fact]
    public async Task Json_console_logs_carry_the_trace_id_of_the_delivery_they_belong_to()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("gone", _ => 410);
        await using var gateway = await HeraldProcess.StartAsync("gateway-json-logs", "Gateway", new Dictionary<string, string>
        {
            ["Herald:Storage"] = "Memory",
            ["Herald:Telemetry:Traces"] = "true",
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        });
        await gateway.WaitReadyAsync();
        await RegisterAndPushAsync(gateway, receiver.Url("gone"), "to a gone receiver");

        // The grain logs the endpoint's disabling inside the attempt's span.
        JsonElement line = default;
        await Eventually.TrueAsync(() =>
        {
            foreach (var text in gateway.Output.Split('\n').Where(l => l.StartsWith('{') && l.Contains("410 Gone", StringComparison.Ordinal)))
            {
                line = JsonDocument.Parse(text).RootElement.Clone();
                return true;
            }

            return false;
        }, "the disabling is logged as one JSON object");

        Assert.Equal("Warning", line.GetProperty("LogLevel").GetString());
        var traceIds = line.GetProperty("Scopes").EnumerateArray()
            .Where(scope => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out _))
            .Select(scope => scope.GetProperty("TraceId").GetString()!)
            .ToArray();
        var traceId = Assert.Single(traceIds);
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.NotEqual(new string('0', 32), traceId);
    }
}
