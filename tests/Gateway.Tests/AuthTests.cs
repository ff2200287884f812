using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Infrastructure.Security;
using Herald.Testing;

namespace Herald.Gateway.Tests;

public sealed class AuthTests : IAsyncLifetime
{
    private HeraldServer _server = null!;
    private string _endpointId = null!;

    public async Task InitializeAsync()
    {
        var settings = TestKeys.Settings();
        settings["Herald:Inbound:Sources:ci:Scheme"] = "none";
        settings["Herald:Cluster:OrleansDashboard"] = "true";
        _server = await HeraldServer.StartAsync(settings);
        using var create = Request("POST", "/api/endpoints", "{\"url\":\"http://127.0.0.1:9/auth\"}", TestKeys.ByScope["manage"]);
        using var created = await _server.Client.SendAsync(create);
        _endpointId = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string?, string> Routes() => new()
    {
        { "POST", "/api/push", "{\"message\":\"m\",\"wait\":false}", ApiScopes.Push },
        { "POST", "/api/register", "{\"webhook_url\":\"http://127.0.0.1:9/r\"}", ApiScopes.Manage },
        { "POST", "/api/unregister", "{\"webhook_url\":\"http://127.0.0.1:9/none\"}", ApiScopes.Manage },
        { "GET", "/api/webhooks", null, ApiScopes.Read },
        { "POST", "/api/endpoints", "{\"url\":\"http://127.0.0.1:9/e\"}", ApiScopes.Manage },
        { "GET", "/api/endpoints", null, ApiScopes.Read },
        { "GET", "/api/endpoints/{id}", null, ApiScopes.Read },
        { "GET", "/api/endpoints/{id}/attempts", null, ApiScopes.Read },
        { "POST", "/api/endpoints/{id}/replay", "{\"from_id\":1}", ApiScopes.Manage },
        { "POST", "/api/endpoints/{id}/enable", "{}", ApiScopes.Manage },
        { "DELETE", "/api/endpoints/ep_none", null, ApiScopes.Manage },
        { "GET", "/api/events", null, ApiScopes.Read },
        { "GET", "/api/events/1", null, ApiScopes.Read },
        { "GET", "/api/events/sources", null, ApiScopes.Read },
        { "GET", "/api/events/summary", null, ApiScopes.Read },
        { "GET", "/api/events/github/activity?repo=o/r", null, ApiScopes.Read },
        { "GET", "/api/events/wait?timeout=0", null, ApiScopes.Read },
        { "GET", "/api/cluster", null, ApiScopes.Read },
        { "GET", "/api/diagnostics", null, ApiScopes.Read },
        { "GET", "/api/diagnostics?collect=true", null, ApiScopes.Manage },
        { "GET", "/api/stats/rates", null, ApiScopes.Read },
        { "POST", "/api/stream/disconnect", "{}", ApiScopes.Manage },
        { "GET", "/stream", null, ApiScopes.Stream },
        { "GET", "/orleans/ClusterStats", null, ApiScopes.Manage },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_api_route_needs_a_key_with_its_scope(string method, string path, string? body, string scope)
    {
        path = path.Replace("{id}", _endpointId, StringComparison.Ordinal);

        using (var anonymous = await SendAsync(Request(method, path, body, key: null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains("API key is required", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var unknown = await SendAsync(Request(method, path, body, key: "hk_not-a-real-key")))
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        foreach (var other in ApiScopes.All.Where(s => s != scope))
        {
            using var forbidden = await SendAsync(Request(method, path, body, TestKeys.ByScope[other]));
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Contains($"lacks the '{scope}' scope", await forbidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var allowed in new[] { scope, "all" })
        {
            using var ok = await SendAsync(Request(method, path, body, TestKeys.ByScope[allowed]));
            Assert.True(ok.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path} with the {allowed} key answered {(int)ok.StatusCode}");
        }
    }

    [Fact]
    public async Task The_stream_takes_its_key_in_the_query_for_eventsource()
    {
        await using var listener = await SseClient.ConnectAsync(_server.BaseAddress, $"/stream?access_token={Uri.EscapeDataString(TestKeys.ByScope["stream"])}");
        Assert.Contains("Connected", (await listener.NextAsync()).Data, StringComparison.Ordinal);

        // Only the stream accepts it there; the rest of the API wants the header.
        using var viaQuery = await _server.Client.GetAsync($"/api/webhooks?access_token={Uri.EscapeDataString(TestKeys.ByScope["read"])}");
        Assert.Equal(HttpStatusCode.Unauthorized, viaQuery.StatusCode);
    }

    [Fact]
    public async Task Public_routes_need_no_key()
    {
        foreach (var path in new[] { "/", "/healthz", "/readyz" })
        {
            using var response = await _server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var inbound = await _server.Client.PostAsync("/webhook/ci", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, inbound.StatusCode);
    }

    [Fact]
    public async Task The_stream_can_be_configured_public()
    {
        var settings = TestKeys.Settings();
        settings["Herald:Auth:PublicStream"] = "true";
        await using var server = await HeraldServer.StartAsync(settings);

        await using var listener = await SseClient.ConnectAsync(server.BaseAddress);
        Assert.Contains("Connected", (await listener.NextAsync()).Data, StringComparison.Ordinal);
        using var push = await server.Client.PostAsync("/api/push", new StringContent("{\"message\":\"m\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
    }

    [Fact]
    public async Task The_keys_command_prints_a_key_whose_hash_the_gateway_accepts()
    {
        using var output = new StringWriter();
        Assert.True(KeysCommand.TryRun(["keys", "new", "--name", "ci-bot", "--scopes", "push,read"], output, out var exitCode));
        Assert.Equal(0, exitCode);
        var lines = output.ToString().Split('\n');
        var key = lines.Single(l => l.StartsWith("key:", StringComparison.Ordinal))["key:".Length..].Trim();
        var hash = lines.Single(l => l.StartsWith("hash:", StringComparison.Ordinal))["hash:".Length..].Trim();
        Assert.Equal(ApiKeyAuthenticator.Hash(key), hash);
        Assert.Contains("Herald__Auth__Keys__0__Scopes__1=read", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key, string.Join('\n', lines.Where(l => l.Contains("Herald__", StringComparison.Ordinal))), StringComparison.Ordinal);

        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Auth:Keys:0:Name"] = "ci-bot",
            ["Herald:Auth:Keys:0:Hash"] = hash,
            ["Herald:Auth:Keys:0:Scopes:0"] = "read",
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var bad = new StringWriter();
        Assert.True(KeysCommand.TryRun(["keys", "new", "--scopes", "root"], bad, out var badExit));
        Assert.Equal(2, badExit);
    }

    [Fact]
    public async Task A_key_with_a_malformed_hash_or_scope_stops_startup_with_a_clear_message()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Auth:Keys:0:Name"] = "broken",
            ["Herald:Auth:Keys:0:Hash"] = "plaintext-secret",
            ["Herald:Auth:Keys:0:Scopes:0"] = "admin",
        }));
        Assert.Contains("Hash must be the 64-character hex SHA-256", failure.Message, StringComparison.Ordinal);
        Assert.Contains("unknown scope 'admin'", failure.Message, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
            return await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static HttpRequestMessage Request(string method, string path, string? body, string? key)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
