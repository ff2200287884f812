using Herald.Testing;
using System.Net;
using System.Text;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;

namespace Herald.Gateway.Tests;

/// <summary>
/// Every endpoint answers bad input with a 4xx and a problem JSON that names what is wrong, and nothing
/// accepted before is lost.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string KnownUrl = "http://127.0.0.1:9/known";
    private HeraldServer _server = null!;
    private string _knownId = null!;

    public async Task InitializeAsync()
    {
        _server = await HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Limits:MaxBodyBytes"] = "4096",
            ["Herald:Limits:MaxMessageLength"] = "100",
            ["Herald:Limits:MaxUrlLength"] = "200",
        });
        _knownId = await _server.CreateEndpointAsync(KnownUrl);
        await _server.PushAsync("accepted before", wait: false);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string?, int, string> Cases()
    {
        var longUrl = "http://example.com/" + new string('a', 300);
        return new TheoryData<string, string, string?, int, string>
        {
            { "POST", "/api/push", "", 400, "body" },
            { "POST", "/api/push", "{", 400, "body" },
            { "POST", "/api/push", "[1,2]", 400, "body" },
            { "POST", "/api/push", "\"text\"", 400, "body" },
            { "POST", "/api/push", "{}", 400, "message" },
            { "POST", "/api/push", "{\"message\":\"\"}", 400, "message" },
            { "POST", "/api/push", "{\"message\":null}", 400, "message" },
            { "POST", "/api/push", "{\"message\":5}", 400, "message" },
            { "POST", "/api/push", "{\"message\":{\"a\":1}}", 400, "message" },
            { "POST", "/api/push", "{\"message\":\"" + new string('m', 101) + "\"}", 400, "message" },
            { "POST", "/api/push", "{\"message\":\"hi\",\"topic\":\"bad topic!\"}", 400, "topic" },
            { "POST", "/api/push", "{\"message\":\"hi\",\"topic\":\"orders.*\"}", 400, "topic" },
            { "POST", "/api/push", "{\"message\":\"hi\",\"topic\":7}", 400, "topic" },
            { "POST", "/api/push", "{\"message\":\"hi\",\"wait\":\"yes\"}", 400, "wait" },
            { "POST", "/api/push", "{\"message\":\"" + new string('m', 5000) + "\"}", 413, "" },
            { "POST", "/api/register", "{}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":\"\"}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":\"ftp://example.com/x\"}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":\"javascript:alert(1)\"}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":\"not a url\"}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":\"/relative/path\"}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":\"http://user:pass@example.com/\"}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":\"" + longUrl + "\"}", 400, "webhook_url" },
            { "POST", "/api/register", "{\"webhook_url\":[\"http://example.com\"]}", 400, "webhook_url" },
            { "POST", "/api/register", "nonsense", 400, "body" },
            { "POST", "/api/unregister", "{}", 400, "webhook_url" },
            { "POST", "/api/unregister", "{\"webhook_url\":\"http://example.com/never\"}", 404, "" },
            { "POST", "/api/unregister", "{\"webhook_url\":", 400, "body" },
            { "POST", "/api/endpoints", "{}", 400, "url" },
            { "POST", "/api/endpoints", "{\"url\":\"gopher://example.com\"}", 400, "url" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"topics\":\"orders\"}", 400, "topics" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"topics\":[\"\"]}", 400, "topics" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"topics\":[\"a b\"]}", 400, "topics" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"topics\":[null]}", 400, "topics" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"secret\":\"hunter2\"}", 400, "secret" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"secret\":\"whsec_c2hvcnQ=\"}", 400, "secret" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":{\"Content-Type\":\"text/plain\"}}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":{\"webhook-signature\":\"x\"}}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":{\"Bad Name\":\"x\"}}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":{\"X-A\":\"a\\r\\nInjected: 1\"}}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":{\"X-A\":5}}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":[1]}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":{\"X-A\":\"1\",\"x-a\":\"2\"}}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"headers\":{\"X-Name\":\"caf\u00e9\"}}", 400, "headers" },
            { "POST", "/api/endpoints", "{\"url\":\"http://example.com/a\",\"description\":\"a\\u0000b\"}", 400, "description" },
            { "POST", "/api/push", "{\"message\":\"nul \\u0000 inside\"}", 400, "message" },
            { "POST", "/api/endpoints", "{\"url\":\"" + KnownUrl + "\"}", 409, "" },
            { "GET", "/api/endpoints/ep_missing", null, 404, "" },
            { "DELETE", "/api/endpoints/ep_missing", null, 404, "" },
            { "GET", "/api/endpoints/ep_missing/attempts", null, 404, "" },
            { "POST", "/api/endpoints/ep_missing/enable", "{}", 404, "" },
            { "POST", "/api/endpoints/ep_missing/replay", "{\"from_id\":1}", 404, "" },
            { "GET", "/api/endpoints/{known}/attempts?limit=0", null, 400, "limit" },
            { "GET", "/api/endpoints/{known}/attempts?limit=many", null, 400, "limit" },
            { "GET", "/api/endpoints/{known}/attempts?limit=100000", null, 400, "limit" },
            { "POST", "/api/endpoints/{known}/replay", "{}", 400, "from_id" },
            { "POST", "/api/endpoints/{known}/replay", "{\"from_id\":1,\"since\":\"2026-01-01T00:00:00Z\"}", 400, "from_id" },
            { "POST", "/api/endpoints/{known}/replay", "{\"from_id\":0}", 400, "from_id" },
            { "POST", "/api/endpoints/{known}/replay", "{\"from_id\":\"one\"}", 400, "from_id" },
            { "POST", "/api/endpoints/{known}/replay", "{\"since\":\"yesterday\"}", 400, "since" },
            { "GET", "/api/endpoints?limit=0", null, 400, "limit" },
            { "GET", "/api/endpoints?limit=1001", null, 400, "limit" },
            { "GET", "/api/endpoints?limit=ten", null, 400, "limit" },
            { "GET", "/api/endpoints?after=ep_missing", null, 400, "after" },
            { "GET", "/api/endpoints?after=-1", null, 400, "after" },
            { "GET", "/api/endpoints?after=", null, 400, "after" },
            { "GET", "/api/endpoints?url=a%00b", null, 400, "url" },
            { "GET", "/api/diagnostics?collect=maybe", null, 400, "collect" },
            { "GET", "/stream?format=xml", null, 400, "format" },
            { "GET", "/stream?topic=bad%20topic", null, 400, "topic" },
            { "GET", "/stream?lastEventId=abc", null, 400, "Last-Event-ID" },
            { "GET", "/stream?lastEventId=-5", null, 400, "Last-Event-ID" },
            { "GET", "/api/push", null, 405, "" },
            { "PUT", "/api/webhooks", "{}", 405, "" },
            { "GET", "/api/no-such-thing", null, 404, "" },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_4xx_problem_that_names_the_field(string method, string path, string? body, int status, string field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{known}", _knownId, StringComparison.Ordinal));
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        await AssertProblemAsync(request, status, field);
        await AssertNothingLostAsync();
    }

    [Fact]
    public async Task Invalid_utf8_gets_a_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/push")
        {
            Content = new ByteArrayContent([.. "{\"message\":\""u8, 0xFF, 0xFE, .. "\"}"u8]),
        };
        await AssertProblemAsync(request, 400, "message");
        await AssertNothingLostAsync();
    }

    [Fact]
    public async Task A_bad_last_event_id_header_gets_a_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", "not-a-number");
        await AssertProblemAsync(request, 400, "Last-Event-ID");
    }

    [Fact]
    public async Task A_body_declared_larger_than_the_limit_is_refused_before_it_is_read()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/register")
        {
            Content = new StringContent(new string(' ', 10_000), Encoding.UTF8, "application/json"),
        };
        await AssertProblemAsync(request, 413, "");
    }

    private async Task AssertProblemAsync(HttpRequestMessage request, int status, string field)
    {
        using var response = await _server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}, expected {status}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("error").GetString()), "the problem says what is wrong");
        if (field.Length > 0)
        {
            // The field itself, or a path inside it such as headers.X-A or topics[0].
            var named = problem.GetProperty("errors").EnumerateObject().Any(e =>
                e.Name == field || e.Name.StartsWith(field + ".", StringComparison.Ordinal) || e.Name.StartsWith(field + "[", StringComparison.Ordinal));
            Assert.True(named, $"the problem names '{field}': {text}");
        }
    }

    private async Task AssertNothingLostAsync()
    {
        var endpoint = await _server.GetJsonAsync($"/api/endpoints/{_knownId}");
        Assert.Equal(KnownUrl, endpoint.GetProperty("url").GetString());
        Assert.Equal(1, (await _server.GetJsonAsync("/api/webhooks")).GetProperty("total").GetInt32());
        await using var replay = await SseClient.ConnectAsync(_server.BaseAddress, lastEventId: "0");
        await replay.NextAsync();
        Assert.EndsWith("] accepted before", (await replay.NextMessagesAsync(1))[0].Data, StringComparison.Ordinal);
    }
}
