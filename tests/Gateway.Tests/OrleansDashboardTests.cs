using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Herald.Gateway.Api;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary>Orleans's dashboard at /orleans: served by the gateway, behind the manage scope once keys exist, without its live trace.</summary>
public sealed class OrleansDashboardTests
{
    private static Dictionary<string, string?> Dashboard() => new() { ["Herald:Cluster:OrleansDashboard"] = "true" };

    [Fact]
    public async Task An_embedded_hub_serves_the_dashboard_and_its_cluster_data_when_asked()
    {
        await using var server = await HeraldServer.StartAsync(Dashboard());

        using var page = await server.Client.GetAsync("/orleans/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        using (var script = await server.Client.GetAsync("/orleans/index.min.js"))
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);

        // The dashboard's data comes from the silos (collected every second): the hub's own is the one there is.
        await Eventually.TrueAsync(
            async () => (await server.GetJsonAsync("/orleans/DashboardCounters")).GetProperty("totalActiveHostCount").GetInt32() == 1,
            "the dashboard counted the hub's silo");
        var hosts = (await server.GetJsonAsync("/orleans/DashboardCounters")).GetProperty("hosts");
        Assert.Equal("active", Assert.Single(hosts.EnumerateArray()).GetProperty("status").GetString()!.ToLowerInvariant());
        using var withoutSlash = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress }.GetAsync("/orleans");
        Assert.Equal("/orleans/", withoutSlash.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_embedded_hub_runs_without_it_by_default_and_says_so_with_a_404()
    {
        await using var server = await HeraldServer.StartAsync();
        using var page = await server.Client.GetAsync("/orleans/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("No route matches", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/orleans/HistoricalStats/x")]
    [InlineData("/orleans/SiloProperties/not-a-silo")]
    [InlineData("/orleans/SiloMetadata/S1.2.3.4:5:6")]
    [InlineData("/orleans/SiloStats/%20")]
    [InlineData("/orleans/SiloCounters/x")]
    [InlineData("/orleans/GrainStats/No.Such.Grain")]
    [InlineData("/orleans/GrainState?grainId=x&grainType=y")]
    [InlineData("/orleans/GrainState")]
    [InlineData("/orleans/Reminders/-1")]
    [InlineData("/orleans/Reminders/99999999")]
    [InlineData("/orleans/TopGrainMethods?exclude=%00")]
    public async Task Bad_input_to_its_routes_gets_a_4xx_with_a_json_error_never_a_500(string path)
    {
        var settings = TestKeys.Settings();
        settings["Herald:Cluster:OrleansDashboard"] = "true";
        await using var server = await HeraldServer.StartAsync(settings);
        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.ByScope["manage"]);

        using var response = await server.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{path} answered {(int)response.StatusCode}: {text}");
        if (!response.IsSuccessStatusCode)
            Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()), text);
    }

    [Fact]
    public async Task The_live_trace_is_off()
    {
        await using var server = await HeraldServer.StartAsync(Dashboard());
        using var trace = await server.Client.GetAsync("/orleans/Trace");
        Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
    }

    [Fact]
    public async Task With_keys_a_browser_opens_it_with_a_manage_key_in_the_query_and_then_uses_a_cookie()
    {
        var settings = TestKeys.Settings();
        settings["Herald:Cluster:OrleansDashboard"] = "true";
        await using var server = await HeraldServer.StartAsync(settings);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };

        using (var anonymous = await browser.GetAsync("/orleans/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("access_token=<key>", JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        using (var readKey = await browser.GetAsync($"/orleans/?access_token={Uri.EscapeDataString(TestKeys.ByScope["read"])}"))
            Assert.Equal(HttpStatusCode.Forbidden, readKey.StatusCode);
        Assert.Empty(cookies.GetCookies(server.BaseAddress));

        using (var opened = await browser.GetAsync($"/orleans/?access_token={Uri.EscapeDataString(TestKeys.ByScope["manage"])}"))
        {
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            var setCookie = opened.Headers.GetValues("Set-Cookie").Single();
            Assert.Contains($"{OrleansDashboardApi.CookieName}=", setCookie, StringComparison.Ordinal);
            Assert.Contains("path=/orleans", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        }

        // The dashboard's own calls carry no key: the cookie lets them through, and only under /orleans.
        using (var data = await browser.GetAsync("/orleans/ClusterStats"))
            Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        using (var api = await browser.GetAsync("/api/cluster"))
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/orleans/ClusterStats");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.ByScope["all"]);
        using var bearer = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }
}
