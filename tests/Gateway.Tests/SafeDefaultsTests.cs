using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Gateway.Hosting;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Grains.Delivery;
using Herald.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Herald.Testing.InboundSigning;

namespace Herald.Gateway.Tests;

/// <summary>
/// What the outside test of the hub found open, each shut: an anonymous hub reachable from elsewhere, an inbound
/// budget that junk could spend, receiver credentials read back in clear, and subscriptions any key could take.
/// </summary>
public sealed class SafeDefaultsTests
{
    [Theory]
    [InlineData("Gateway", "http://0.0.0.0:0")]
    [InlineData("Gateway", "http://[::]:0")]
    [InlineData("Silo", "http://0.0.0.0:0")]
    public async Task A_process_that_would_listen_beyond_loopback_without_keys_refuses_to_start_and_says_how_to_open_it(string project, string url)
    {
        var settings = new Dictionary<string, string> { ["urls"] = url };
        if (project == "Silo")
            settings["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing";

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => HeraldProcess.StartAsync("exposed", project, settings));

        Assert.Contains("exited (1)", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"Herald cannot start: Herald would listen on {url} with no API keys", failure.Message, StringComparison.Ordinal);
        Assert.Contains("keys new", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Herald:Auth:AllowAnonymous=true", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000", null, true)]
    [InlineData("http://localhost:8000", null, true)]
    [InlineData("http://0.0.0.0:8080", null, false)]
    [InlineData("http://0.0.0.0:8080", "true", true)]
    public async Task A_hub_reachable_from_elsewhere_blocks_private_destinations_unless_allowed_by_name(string url, string? allowPrivate, bool allowed)
    {
        // Built, not started: nothing listens beyond loopback here.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        var settings = new Dictionary<string, string?> { ["urls"] = url, ["Herald:Storage"] = "Memory", ["Herald:Auth:AllowAnonymous"] = "true" };
        if (allowPrivate is not null)
            settings["Herald:Delivery:AllowPrivateNetworks"] = allowPrivate;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddHeraldGateway();
        await using var app = builder.Build();

        Assert.Equal(allowed, app.Services.GetRequiredService<IOptions<DeliveryOptions>>().Value.AllowPrivateNetworks);
    }

    [Fact]
    public async Task Six_hundred_unsigned_requests_spend_their_senders_budget_and_a_signed_delivery_right_after_is_stored()
    {
        await using var server = await HeraldServer.StartAsync(Sources);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 600; i++)
        {
            using var junk = new HttpRequestMessage(HttpMethod.Post, "/webhook/github") { Content = new StringContent("{}") };
            using var answered = await server.Client.SendAsync(junk);
            statuses.Add(answered.StatusCode);
        }

        Assert.Equal(60, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(540, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

        using var signed = GitHub("push", Sample("github-push.json"), "after-the-junk");
        using var delivered = await server.Client.SendAsync(signed);
        Assert.Equal(HttpStatusCode.Accepted, delivered.StatusCode);
        var stored = await server.GetJsonAsync("/api/events?source=github");
        Assert.Equal("after-the-junk", Assert.Single(stored.GetProperty("events").EnumerateArray()).GetProperty("delivery_id").GetString());
    }

    [Fact]
    public async Task Custom_header_values_are_sent_whole_but_read_back_masked()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var created = await server.PostJsonAsync("/api/endpoints", new
        {
            url = receiver.Url("with-headers"),
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer receiver-token-SECRET", ["X-Tenant"] = "acme" },
        }, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;

        foreach (var shown in new[] { created, await server.GetJsonAsync($"/api/endpoints/{id}"), (await server.GetJsonAsync("/api/endpoints")).GetProperty("endpoints")[0] })
        {
            Assert.Equal("****CRET", shown.GetProperty("headers").GetProperty("Authorization").GetString());
            Assert.Equal("****", shown.GetProperty("headers").GetProperty("X-Tenant").GetString());
        }

        await server.PushAsync("with its headers");
        await Eventually.TrueAsync(() => receiver.Delivered("with-headers").Count == 1, "the delivery arrived");
        Assert.Equal("Bearer receiver-token-SECRET", receiver.Delivered("with-headers")[0].Header("authorization"));
        Assert.Equal("acme", receiver.Delivered("with-headers")[0].Header("x-tenant"));
    }

    [Fact]
    public async Task A_subscription_belongs_to_its_key_and_only_a_manage_key_sees_or_deletes_another_keys()
    {
        const string otherReader = "hk_another-reader-of-the-same-hub";
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>(TestKeys.Settings())
        {
            ["Herald:Inbound:Sources:github:Scheme"] = "none",
            ["Herald:Auth:Keys:9:Name"] = "another-reader",
            ["Herald:Auth:Keys:9:Hash"] = TestKeys.Hash(otherReader),
            ["Herald:Auth:Keys:9:Scopes:0"] = "read",
        });
        var reader = Client(server, TestKeys.ByScope["read"]);
        var other = Client(server, otherReader);
        var manager = Client(server, TestKeys.ByScope["all"]);

        Assert.Equal(HttpStatusCode.Created, (await reader.PostAsJsonAsync("/api/subscriptions", new { name = "assistant-sub", sources = new[] { "github" } })).StatusCode);

        // Another key neither sees it, nor waits on it (which would take its events and move its cursor), nor deletes it.
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/subscriptions/assistant-sub")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/events/wait?subscription=assistant-sub&timeout=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync("/api/subscriptions/assistant-sub")).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/api/subscriptions")).GetProperty("subscriptions").EnumerateArray());

        // Its own subscription of the same name is another one.
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/api/subscriptions", new { name = "assistant-sub" })).StatusCode);
        Assert.Equal(["github"], (await reader.GetFromJsonAsync<JsonElement>("/api/subscriptions/assistant-sub")).GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToArray());

        // A manage key lists everyone's, with their owners, and deletes another's by naming its owner.
        var all = (await manager.GetFromJsonAsync<JsonElement>("/api/subscriptions")).GetProperty("subscriptions").EnumerateArray()
            .Select(s => (s.GetProperty("owner").GetString(), s.GetProperty("name").GetString())).ToArray();
        Assert.Equal([("another-reader", "assistant-sub"), ("key-read", "assistant-sub")], all);
        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync("/api/subscriptions/assistant-sub?owner=key-read")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/api/subscriptions/assistant-sub")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/subscriptions/assistant-sub")).StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_are_believed_from_a_listed_proxy_only()
    {
        var settings = new Dictionary<string, string?> { ["Herald:Limits:RequestsPerMinute"] = "2" };
        await using (var direct = await HeraldServer.StartAsync(settings))
        {
            // Not listed: a client cannot pick the address its budget counts against.
            Assert.Equal(HttpStatusCode.TooManyRequests, await ThirdCallAsync(direct, forwardedFor: ["203.0.113.1", "203.0.113.2", "203.0.113.3"]));
        }

        settings["Herald:Http:KnownProxies:0"] = "127.0.0.1";
        await using var proxied = await HeraldServer.StartAsync(settings);

        // Behind a listed proxy, each client counts as itself.
        Assert.Equal(HttpStatusCode.OK, await ThirdCallAsync(proxied, forwardedFor: ["203.0.113.1", "203.0.113.2", "203.0.113.3"]));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ThirdCallAsync(proxied, forwardedFor: ["203.0.113.9", "203.0.113.9", "203.0.113.9"]));
    }

    [Fact]
    public async Task A_listed_proxy_must_be_an_address_or_a_network()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Http:KnownProxies:0"] = "nginx" }));
        Assert.Contains("'nginx' is not an IP address or a CIDR network", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> ThirdCallAsync(HeraldServer server, string[] forwardedFor)
    {
        var status = HttpStatusCode.OK;
        foreach (var client in forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
            request.Headers.Add("X-Forwarded-For", client);
            using var response = await server.Client.SendAsync(request);
            status = response.StatusCode;
        }

        return status;
    }

    private static HttpClient Client(HeraldServer server, string key)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
