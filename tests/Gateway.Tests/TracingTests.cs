using System.Diagnostics;
using System.Net;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Herald.Gateway.Tests;

/// <summary>Traces, recorded by a real gateway and handed to OpenTelemetry's in-memory exporter in this process.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TracingTests
{
    private static Task<HeraldServer> TracedServerAsync(SpanCollection spans, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Herald:Telemetry:Traces"] = "true";
        return HeraldServer.StartAsync(settings, configure: builder =>
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
    }

    private static IReadOnlyList<Activity> Named(IEnumerable<Activity> spans, string name) => spans.Where(s => s.OperationName == name).ToArray();

    private static Activity Request(IEnumerable<Activity> spans, string method, string route) =>
        spans.Single(s => s.Kind == ActivityKind.Server && s.GetTagItem("http.request.method") as string == method && s.GetTagItem("http.route") as string == route);

    [Fact]
    public async Task A_push_is_one_trace_from_the_request_through_the_broadcaster_to_each_attempt_and_its_http_call()
    {
        var spans = new SpanCollection();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TracedServerAsync(spans);
        var a = await server.CreateEndpointAsync(receiver.Url("a"));
        var b = await server.CreateEndpointAsync(receiver.Url("b"));
        var pushed = await server.PushAsync("traced");
        var id = pushed.GetProperty("id").GetInt64();

        await Eventually.TrueAsync(() => Named(spans, "herald.deliver").Count == 2 && spans.Any(s => s.GetTagItem("http.route") as string == "/api/push"),
            "both attempts and the request have ended");
        var all = spans.Snapshot();
        var push = Request(all, "POST", "/api/push");
        var trace = all.Where(s => s.TraceId == push.TraceId).ToArray();

        var append = Assert.Single(Named(trace, "herald.append"));
        Assert.Equal(id, append.GetTagItem("herald.message.id"));
        Assert.Contains(trace, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.DisplayName.Contains("Broadcaster", StringComparison.OrdinalIgnoreCase));

        var attempts = Named(trace, "herald.deliver");
        Assert.Equal([a, b], attempts.Select(s => (string)s.GetTagItem("herald.endpoint.id")!).Order().ToArray());
        foreach (var attempt in attempts)
        {
            Assert.Equal(id, attempt.GetTagItem("herald.message.id"));
            Assert.Equal(200, attempt.GetTagItem("http.response.status_code"));

            // The outgoing call is the attempt's child.
            var call = Assert.Single(trace, s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http" && s.ParentSpanId == attempt.SpanId);
            Assert.Equal(200, call.GetTagItem("http.response.status_code"));
        }

        // The trace stays Herald's: receivers see no traceparent unless the operator asks for it.
        Assert.All(receiver.Requests, r => Assert.False(r.Headers.ContainsKey("traceparent")));
    }

    [Fact]
    public async Task A_push_that_does_not_wait_wakes_active_grains_in_process_and_its_attempts_still_join_its_trace()
    {
        var spans = new SpanCollection();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TracedServerAsync(spans);
        await server.CreateEndpointAsync(receiver.Url("a"));
        await server.CreateEndpointAsync(receiver.Url("b"));

        // The first push activates the grains; the second finds them active and wakes them with a signal, not a call.
        await server.PushAsync("activates");
        var id = (await server.PushAsync("signalled", wait: false)).GetProperty("id").GetInt64();

        await Eventually.TrueAsync(() => Named(spans, "herald.deliver").Count(s => (long)s.GetTagItem("herald.message.id")! == id) == 2,
            "both attempts at the second message have ended");
        var attempts = Named(spans, "herald.deliver").Where(s => (long)s.GetTagItem("herald.message.id")! == id).ToArray();
        var append = Assert.Single(Named(spans, "herald.append"), s => (long)s.GetTagItem("herald.message.id")! == id);
        Assert.All(attempts, attempt => Assert.Equal(append.TraceId, attempt.TraceId));
    }

    [Fact]
    public async Task Receivers_get_the_traceparent_of_their_attempt_when_configured()
    {
        var spans = new SpanCollection();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TracedServerAsync(spans, new() { ["Herald:Delivery:SendTraceContext"] = "true" });
        await server.CreateEndpointAsync(receiver.Url("a"));
        await server.PushAsync("traced");

        var delivered = Assert.Single(receiver.Requests);
        await Eventually.TrueAsync(() => Named(spans, "herald.deliver").Count == 1, "the attempt has ended");
        var attempt = Assert.Single(Named(spans, "herald.deliver"));
        Assert.StartsWith($"00-{attempt.TraceId}-", delivered.Header("traceparent"));
    }

    [Fact]
    public async Task An_inbound_webhook_is_one_trace_through_verification_storage_relay_and_delivery()
    {
        var spans = new SpanCollection();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TracedServerAsync(spans, InboundSigning.Sources);
        await server.CreateEndpointAsync(receiver.Url("ci"), topics: ["inbound.ci"]);
        using (var inbound = InboundSigning.Unsigned("ci", """{"build":7}""", delivery: "traced-1"))
            Assert.Equal(HttpStatusCode.Accepted, (await server.Client.SendAsync(inbound)).StatusCode);

        await Eventually.TrueAsync(() => Named(spans, "herald.deliver").Count == 1 && spans.Any(s => s.GetTagItem("http.route") as string == "/webhook/{source}"),
            "the relay's delivery and the request have ended");
        var all = spans.Snapshot();
        var request = Request(all, "POST", "/webhook/{source}");
        var trace = all.Where(s => s.TraceId == request.TraceId).Select(s => s.OperationName).ToArray();
        Assert.Contains("herald.inbound.verify", trace);
        Assert.Contains("herald.inbound.store", trace);
        Assert.Contains("herald.inbound.relay", trace);
        Assert.Contains("herald.deliver", trace);
    }

    [Fact]
    public async Task Without_a_collector_or_the_setting_nothing_is_traced()
    {
        // Herald's spans start only while something listens: with traces off, nothing does.
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        await server.CreateEndpointAsync(receiver.Url("a"));
        await server.PushAsync("untraced");
        Assert.False(Herald.Grains.Telemetry.HeraldTelemetry.Source.HasListeners());
    }
}
