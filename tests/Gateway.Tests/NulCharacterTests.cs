using System.Net;
using System.Text;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary>
/// PostgreSQL text and jsonb cannot hold U+0000. A NUL in a query or a JSON field is bad input (400 naming the
/// field) in both modes; a NUL inside a signed inbound payload is the sender's data, so the event is stored.
/// </summary>
public sealed class NulCharacterTests
{
    public static TheoryData<bool> Modes => new() { false, true };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_nul_in_a_query_or_a_json_field_is_a_400_naming_the_field(bool cluster)
    {
        await using var server = await StartAsync(cluster);
        var cases = new (string Method, string Path, string? Body, string Field)[]
        {
            ("GET", "/api/events?type=%00", null, "type"),
            ("GET", "/api/events?source=%00", null, "source"),
            ("GET", "/api/events/summary?source=%00", null, "source"),
            ("GET", "/api/events/wait?source=%00&timeout=0", null, "source"),
            ("GET", "/api/endpoints?url=http://x/%00", null, "url"),
            ("GET", "/api/events?source=ok&%00=1", null, "\\u0000"),
            ("POST", "/api/unregister", "{\"webhook_url\":\"\\u0000\"}", "webhook_url"),
            ("POST", "/api/register", "{\"webhook_url\":\"http://127.0.0.1:9/a\\u0000\"}", "webhook_url"),
            ("POST", "/api/endpoints", "{\"url\":\"http://127.0.0.1:9/a\",\"headers\":{\"X-A\":\"\\u0000\"}}", "headers"),
            ("POST", "/api/push", "{\"message\":\"m\",\"topic\":\"a\\u0000\"}", "topic"),
            ("POST", "/api/push", "{\"message\":\"ok\",\"\\u0000\":1}", "body"),
        };

        foreach (var (method, path, body, field) in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await server.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} {body} answered {(int)response.StatusCode}: {text}");
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{method} {path} {body} names '{field}': {text}");
            Assert.Contains("NUL", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // A JSON string holding the six characters \u0000 (an escaped backslash) is ordinary text.
        var pushed = await server.PostJsonAsync("/api/push", new { message = "literally \\u0000" });
        Assert.Equal("literally \\u0000", pushed.GetProperty("message").GetString());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_signed_inbound_payload_holding_nul_is_stored_with_a_readable_summary(bool cluster)
    {
        await using var server = await StartAsync(cluster);
        var body = InboundSigning.Sample("github-push.json").Replace("\"message\": \"", "\"message\": \"nul\\u0000here ", StringComparison.Ordinal);
        Assert.Contains("\\u0000", body, StringComparison.Ordinal);

        using (var request = InboundSigning.GitHub("push", body, "delivery-with-nul"))
        using (var response = await server.Client.SendAsync(request))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using (var request = InboundSigning.Unsigned("ci", "{\"type\":\"deploy\\u0000ed\",\"id\":\"x\\u0000\",\"note\":\"\\u0000\"}", "ci-1"))
        using (var response = await server.Client.SendAsync(request))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var github = (await server.GetJsonAsync("/api/events?source=github")).GetProperty("events")[0];
        Assert.Contains("nul\uFFFDhere", github.GetProperty("summary").GetRawText().Replace("\\uFFFD", "\uFFFD", StringComparison.Ordinal), StringComparison.Ordinal);
        var stored = await server.GetJsonAsync($"/api/events/{github.GetProperty("id").GetInt64()}");
        Assert.Contains("nul\u0000here", stored.GetProperty("payload").GetRawText().Replace("\\u0000", "\u0000", StringComparison.Ordinal), StringComparison.Ordinal);
        var ci = (await server.GetJsonAsync("/api/events?source=ci")).GetProperty("events")[0];
        Assert.Equal("deploy\uFFFDed", ci.GetProperty("summary").GetProperty("type").GetString());
    }

    private static async Task<HeraldServer> StartAsync(bool cluster)
    {
        var settings = cluster ? HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync()) : [];
        foreach (var (key, value) in InboundSigning.Sources)
            settings[key] = value;
        return await HeraldServer.StartAsync(settings);
    }
}
