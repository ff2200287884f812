using Herald.Contracts;
using Herald.Infrastructure.Storage;

namespace Herald.Silo.Tests;

public sealed class MemoryEndpointRegistryTests
{
    private readonly MemoryEndpointRegistry _registry = new();

    private static EndpointDefinition Endpoint(string id, string[]? topics = null, bool enabled = true) => new()
    {
        Id = id,
        Url = $"https://example.test/{id}",
        Topics = topics ?? [],
        Enabled = enabled,
    };

    private async Task<string[]> SubscriberIdsAsync(string topic) =>
        (await _registry.GetSubscribersAsync(topic)).Select(e => e.Id).ToArray();

    [Fact]
    public async Task Concurrent_adds_of_the_same_url_create_exactly_one_endpoint()
    {
        const string Url = "https://example.test/hook";
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var adds = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await _registry.AddAsync(new EndpointDefinition { Id = "ep" + i, Url = Url });
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(adds);

        var created = Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(created.Endpoint.Id, r.Endpoint.Id));
        Assert.Equal(1, await _registry.CountAsync());
        Assert.Equal(created.Endpoint.Id, (await _registry.FindByUrlAsync(Url))?.Id);
    }

    [Fact]
    public async Task Subscribers_are_the_enabled_endpoints_whose_topics_match_in_registration_order()
    {
        await _registry.AddAsync(Endpoint("all"));
        await _registry.AddAsync(Endpoint("orders", ["orders.*"]));
        await _registry.AddAsync(Endpoint("inbound", ["inbound.*"]));
        await _registry.AddAsync(Endpoint("disabled", ["*"], enabled: false));
        await _registry.AddAsync(Endpoint("exact", ["orders.created"]));

        Assert.Equal(["all", "orders", "exact"], await SubscriberIdsAsync("orders.created"));
        Assert.Equal(["all", "orders"], await SubscriberIdsAsync("orders.paid"));
        Assert.Equal(["inbound"], await SubscriberIdsAsync("inbound.mail"));
        Assert.Equal(["all"], await SubscriberIdsAsync("users.created"));
    }

    [Fact]
    public async Task Subscribers_are_refreshed_after_update_add_and_remove()
    {
        await _registry.AddAsync(Endpoint("a"));
        await _registry.AddAsync(Endpoint("b", ["orders.*"]));
        Assert.Equal(["a", "b"], await SubscriberIdsAsync("orders.created"));

        await _registry.UpdateAsync(Endpoint("a", enabled: false));
        Assert.Equal(["b"], await SubscriberIdsAsync("orders.created"));

        await _registry.AddAsync(Endpoint("c", ["*.created"]));
        Assert.Equal(["b", "c"], await SubscriberIdsAsync("orders.created"));

        Assert.True(await _registry.RemoveAsync("b"));
        Assert.Equal(["c"], await SubscriberIdsAsync("orders.created"));

        await _registry.UpdateAsync(Endpoint("a"));
        Assert.Equal(["a", "c"], await SubscriberIdsAsync("orders.created"));
    }

    [Fact]
    public async Task Removed_endpoint_frees_its_url_and_unknown_ids_are_ignored()
    {
        await _registry.AddAsync(Endpoint("a"));

        Assert.True(await _registry.RemoveAsync("a"));
        Assert.False(await _registry.RemoveAsync("a"));
        await _registry.UpdateAsync(Endpoint("ghost"));

        Assert.Null(await _registry.GetAsync("ghost"));
        Assert.Null(await _registry.FindByUrlAsync("https://example.test/a"));
        var (_, created) = await _registry.AddAsync(Endpoint("a"));
        Assert.True(created);
        Assert.Equal(["a"], (await _registry.ListAsync()).Select(e => e.Id));
    }
}
