using Herald.Gateway.Tests.Infrastructure;

namespace Herald.Gateway.Tests;

public sealed class CorsAndDashboardTests
{
    [Fact]
    public async Task Cors_preflight_and_responses_allow_any_origin_by_default()
    {
        await using var server = await HeraldServer.StartAsync();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/push");
        preflight.Headers.Add("Origin", "http://example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");
        using var answer = await server.Client.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", answer.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Contains("content-type", answer.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);

        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
        list.Headers.Add("Origin", "http://example.com");
        using var listed = await server.Client.SendAsync(list);
        Assert.Equal("*", listed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var stream = new HttpRequestMessage(HttpMethod.Get, "/stream");
        stream.Headers.Add("Origin", "http://example.com");
        using var streamed = await server.Client.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("*", streamed.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Cors_origins_can_be_restricted()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Cors:Origins:0"] = "https://app.example" });

        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
        allowed.Headers.Add("Origin", "https://app.example");
        using var yes = await server.Client.SendAsync(allowed);
        Assert.Equal("https://app.example", yes.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var other = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
        other.Headers.Add("Origin", "https://evil.example");
        using var no = await server.Client.SendAsync(other);
        Assert.False(no.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_dashboard_is_one_self_contained_page()
    {
        await using var server = await HeraldServer.StartAsync();

        using var response = await server.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("new EventSource", html, StringComparison.Ordinal);
        Assert.Contains("/api/push", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href)=\"https?://", html);
    }

    [Fact]
    public async Task The_dashboard_admits_only_its_own_script_and_style_and_may_not_be_framed()
    {
        await using var server = await HeraldServer.StartAsync();

        using var response = await server.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        var policy = string.Join(';', response.Headers.GetValues("Content-Security-Policy"));

        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);

        // The one script and the one style the page holds are admitted by their hashes, and nothing else inline is.
        string Hash(string open, string close)
        {
            var start = html.IndexOf(open, StringComparison.Ordinal) + open.Length;
            var content = html[start..html.IndexOf(close, start, StringComparison.Ordinal)];
            return "'sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content))) + "'";
        }

        Assert.Contains($"script-src {Hash("<script>", "</script>")};", policy, StringComparison.Ordinal);
        Assert.Contains($"style-src {Hash("<style>", "</style>")};", policy, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=\"", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(" on[a-z]+=\"", html);
    }
}
