using Herald.Testing;
using System.Net;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;

namespace Herald.Gateway.Tests;

public sealed class EndpointsApiTests
{
    [Fact]
    public async Task Endpoints_can_be_created_read_listed_and_deleted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();

        using var create = await server.Client.PostAsync("/api/endpoints", JsonContent(new
        {
            url = receiver.Url("crud"),
            topics = new[] { "orders.*", "billing" },
            description = "orders service",
        }));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/api/endpoints/{id}", create.Headers.Location?.ToString());
        Assert.StartsWith("ep_", id);
        Assert.Equal(["orders.*", "billing"], created.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.True(created.GetProperty("enabled").GetBoolean());

        var fetched = await server.GetJsonAsync($"/api/endpoints/{id}");
        Assert.Equal(receiver.Url("crud"), fetched.GetProperty("url").GetString());
        Assert.Equal("orders service", fetched.GetProperty("description").GetString());
        Assert.Equal(0, fetched.GetProperty("lag").GetInt64());
        Assert.Equal(JsonValueKind.Null, fetched.GetProperty("last_attempt").ValueKind);

        await server.PushAsync("for orders", topic: "orders.created");
        var afterPush = await server.GetJsonAsync($"/api/endpoints/{id}");
        Assert.Equal("succeeded", afterPush.GetProperty("last_attempt").GetProperty("outcome").GetString());
        Assert.Equal(1, afterPush.GetProperty("delivered").GetInt64());
        Assert.Equal(1, afterPush.GetProperty("cursor").GetInt64());

        var listed = await server.GetJsonAsync("/api/endpoints");
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
        Assert.Equal(id, listed.GetProperty("endpoints")[0].GetProperty("id").GetString());
        Assert.Equal([receiver.Url("crud")], (await server.GetJsonAsync("/api/webhooks")).GetProperty("webhooks").EnumerateArray().Select(u => u.GetString()!).ToArray());

        using var deleted = await server.Client.DeleteAsync($"/api/endpoints/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await server.Client.GetAsync($"/api/endpoints/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(0, (await server.PushAsync("nobody left", topic: "orders.created")).GetProperty("total_webhooks").GetInt32());
    }

    [Fact]
    public Task Endpoints_are_listed_a_page_at_a_time_in_registration_order() => ListsInPagesAsync(new Dictionary<string, string?>());

    [Fact]
    public async Task Endpoints_are_listed_a_page_at_a_time_on_postgres_too() =>
        await ListsInPagesAsync(HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync()));

    private static async Task ListsInPagesAsync(Dictionary<string, string?> settings)
    {
        await using var server = await HeraldServer.StartAsync(settings);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add(await server.CreateEndpointAsync($"http://127.0.0.1:9/page-{i}"));

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await server.GetJsonAsync("/api/endpoints?limit=2" + (after is null ? string.Empty : "&after=" + after));
            Assert.Equal(5, page.GetProperty("total").GetInt32());
            var onPage = page.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
            Assert.InRange(onPage.Length, 1, 2);
            seen.AddRange(onPage);
            after = page.GetProperty("next").GetString();
            Assert.Equal(pages < 2, after is not null);
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids, seen);

        // A page's cursor stays good when the endpoint it ended with is deleted meanwhile.
        var first = await server.GetJsonAsync("/api/endpoints?limit=2");
        using (var deleted = await server.Client.DeleteAsync($"/api/endpoints/{ids[1]}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var second = await server.GetJsonAsync("/api/endpoints?limit=2&after=" + first.GetProperty("next").GetString());
        Assert.Equal(ids.Skip(2).Take(2), second.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
        Assert.Equal(4, second.GetProperty("total").GetInt32());
        ids.RemoveAt(1);

        // Without a limit, a page holds up to 100; a URL narrows the list to its endpoint.
        var all = await server.GetJsonAsync("/api/endpoints");
        Assert.Equal(4, all.GetProperty("endpoints").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next").ValueKind);
        var one = await server.GetJsonAsync("/api/endpoints?url=" + Uri.EscapeDataString("http://127.0.0.1:9/page-3"));
        Assert.Equal(1, one.GetProperty("total").GetInt32());
        Assert.Equal(ids[2], one.GetProperty("endpoints")[0].GetProperty("id").GetString());
        Assert.Equal(0, (await server.GetJsonAsync("/api/endpoints?url=http%3A%2F%2Fnowhere.example%2F")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Registering_a_url_twice_keeps_one_registration()
    {
        await using var server = await HeraldServer.StartAsync();
        const string url = "http://127.0.0.1:9/twice";

        await server.PostJsonAsync("/api/register", new { webhook_url = url });
        await server.PostJsonAsync("/api/register", new { webhook_url = url });
        var conflict = await server.PostJsonAsync("/api/endpoints", new { url }, HttpStatusCode.Conflict);

        Assert.Equal(1, (await server.GetJsonAsync("/api/webhooks")).GetProperty("total").GetInt32());
        var id = (await server.GetJsonAsync("/api/endpoints")).GetProperty("endpoints")[0].GetProperty("id").GetString();
        Assert.Equal(id, conflict.GetProperty("endpoint_id").GetString());
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_url_keep_one_registration()
    {
        await using var server = await HeraldServer.StartAsync();
        const string url = "http://127.0.0.1:9/concurrent";

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => server.PostJsonAsync("/api/register", new { webhook_url = url })));

        Assert.Equal(1, (await server.GetJsonAsync("/api/webhooks")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_endpoint_gets_only_messages_pushed_after_it_was_created()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        await server.PushAsync("before", wait: false);

        await server.CreateEndpointAsync(receiver.Url("late"));
        var after = await server.PushAsync("after");

        Assert.Equal(1, after.GetProperty("webhooks_notified").GetInt32());
        var delivered = receiver.Delivered("late");
        Assert.Single(delivered);
        Assert.Equal("after", delivered[0].Message);
    }

    [Fact]
    public async Task Unregistering_by_url_removes_an_endpoint_created_by_id()
    {
        await using var server = await HeraldServer.StartAsync();
        var id = await server.CreateEndpointAsync("http://127.0.0.1:9/by-url");

        var answer = await server.PostJsonAsync("/api/unregister", new { webhook_url = "http://127.0.0.1:9/by-url" });

        Assert.Equal(0, answer.GetProperty("total_webhooks").GetInt32());
        using var gone = await server.Client.GetAsync($"/api/endpoints/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
