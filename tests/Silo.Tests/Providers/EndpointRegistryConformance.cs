using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Herald.Silo.Tests.Infrastructure;
using Herald.Storage;

namespace Herald.Silo.Tests.Providers;

public abstract class EndpointRegistryConformance : IAsyncLifetime
{
    protected IEndpointRegistry Registry { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    private static EndpointDefinition Endpoint(string id, string url, string[]? topics = null) => new()
    {
        Id = id,
        Url = url,
        Topics = topics ?? [],
        Secret = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
        Headers = new Dictionary<string, string> { ["X-Tenant"] = "acme" },
        Description = "test",
        CreatedAt = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero),
        StartAfterSeq = 42,
    };

    [Fact]
    public async Task Endpoints_round_trip_with_every_field()
    {
        var endpoint = Endpoint("ep_a", "http://example.com/a", ["orders.*"]);
        var (stored, created) = await Registry.AddAsync(endpoint);

        Assert.True(created);
        var read = await Registry.GetAsync("ep_a");
        Assert.NotNull(read);
        Assert.Equal(endpoint.Url, read.Url);
        Assert.Equal(endpoint.Topics, read.Topics);
        Assert.Equal(endpoint.Secret, read.Secret);
        Assert.Equal("acme", read.Headers["X-Tenant"]);
        Assert.Equal(endpoint.Description, read.Description);
        Assert.Equal(endpoint.CreatedAt, read.CreatedAt);
        Assert.Equal(42, read.StartAfterSeq);
        Assert.True(read.Enabled);
        Assert.True(read.Filter.Matches("orders.paid"));
        Assert.Equal("ep_a", (await Registry.FindByUrlAsync("http://example.com/a"))?.Id);
        Assert.Null(await Registry.GetAsync("ep_missing"));
        Assert.Equal(endpoint.Id, stored.Id);
    }

    [Fact]
    public async Task A_url_is_registered_once_even_under_concurrent_adds()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Registry.AddAsync(Endpoint($"ep_{i}", "http://example.com/same")).AsTask()));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Endpoint.Id).Distinct());
        Assert.Equal(1, await Registry.CountAsync());
    }

    [Fact]
    public async Task List_is_oldest_first_and_subscribers_follow_updates_and_removals()
    {
        await Registry.AddAsync(Endpoint("ep_1", "http://example.com/1"));
        await Registry.AddAsync(Endpoint("ep_2", "http://example.com/2", ["orders.*"]));
        await Registry.AddAsync(Endpoint("ep_3", "http://example.com/3", ["inbound.*"]));

        Assert.Equal(["ep_1", "ep_2", "ep_3"], (await Registry.ListAsync()).Select(e => e.Id).ToArray());
        Assert.Equal(["ep_1", "ep_2"], (await Registry.GetSubscribersAsync("orders.created")).Select(e => e.Id).ToArray());
        Assert.Equal(["ep_3"], (await Registry.GetSubscribersAsync("inbound.github")).Select(e => e.Id).ToArray());

        var disabled = (await Registry.GetAsync("ep_1"))! with { Enabled = false, DisabledReason = "gone", DisabledAt = DateTimeOffset.UtcNow };
        await Registry.UpdateAsync(disabled);
        Assert.Equal(["ep_2"], (await Registry.GetSubscribersAsync("orders.created")).Select(e => e.Id).ToArray());
        Assert.Equal("gone", (await Registry.GetAsync("ep_1"))!.DisabledReason);

        Assert.True(await Registry.RemoveAsync("ep_2"));
        Assert.False(await Registry.RemoveAsync("ep_2"));
        Assert.Empty(await Registry.GetSubscribersAsync("orders.created"));
        Assert.Equal(2, await Registry.CountAsync());
        Assert.Null(await Registry.FindByUrlAsync("http://example.com/2"));
    }
}

public sealed class MemoryEndpointRegistryConformanceTests : EndpointRegistryConformance
{
    public override Task InitializeAsync()
    {
        Registry = new MemoryEndpointRegistry();
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresEndpointRegistryConformanceTests : EndpointRegistryConformance
{
    private PostgresProviderSet _set = null!;

    public override async Task InitializeAsync()
    {
        _set = await PostgresProviderSet.CreateAsync();
        Registry = _set.Registry;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}

public sealed class SqliteEndpointRegistryConformanceTests : EndpointRegistryConformance
{
    private SqliteProviderSet _set = null!;

    public override Task InitializeAsync()
    {
        _set = SqliteProviderSet.Create();
        Registry = _set.Registry;
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}
