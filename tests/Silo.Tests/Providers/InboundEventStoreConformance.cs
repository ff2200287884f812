using Herald.Contracts;
using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Herald.Silo.Tests.Infrastructure;
using Herald.Storage;
using Herald.MessageLog;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Tests.Providers;

public abstract class InboundEventStoreConformance : IAsyncLifetime
{
    protected IInboundEventStore Store { get; set; } = null!;

    protected IMessageLog Log { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    private static InboundEventDraft Draft(string source, string delivery, string? type = "push") => new(
        source, type, delivery, new Dictionary<string, string> { ["x-github-event"] = type ?? "" }, "{\"n\":1}", "{\"event\":\"push\"}", $"{source} {type}");

    [Fact]
    public async Task An_event_is_appended_to_the_log_under_its_inbound_topic_with_type_and_payload()
    {
        var (stored, created) = await Store.AppendAsync(Draft("github", "d-1"));

        Assert.True(created);
        var entry = (await Log.ReadAsync(stored.Id - 1, 1)).Single();
        Assert.Equal(stored.Id, entry.Seq);
        Assert.Equal("inbound.github", entry.Topic);
        Assert.Equal("push", entry.Type);
        Assert.Equal("{\"n\":1}", entry.Payload);
        Assert.Equal("github push", entry.Message);
        var read = await Store.GetAsync(stored.Id);
        Assert.Equal("d-1", read!.DeliveryId);
        Assert.Equal("push", read.Headers["x-github-event"]);
        Assert.Contains("\"event\"", read.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_id_is_stored_once_per_source_even_under_concurrency()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Store.AppendAsync(Draft("github", "same")).AsTask()));
        var other = await Store.AppendAsync(Draft("stripe", "same"));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Event.Id).Distinct());
        Assert.True(other.Created, "the same delivery id from another source is another event");
        Assert.Equal(2, (await Store.QueryAsync(new InboundQuery(null, null, null, null, 100))).Count);
    }

    [Fact]
    public async Task Queries_filter_page_and_count()
    {
        for (var i = 0; i < 5; i++)
            await Store.AppendAsync(Draft("github", $"g{i}", i % 2 == 0 ? "push" : "issues"));
        await Store.AppendAsync(Draft("stripe", "s0", "invoice.paid"));

        var firstPage = await Store.QueryAsync(new InboundQuery("github", null, null, null, 2));
        var secondPage = await Store.QueryAsync(new InboundQuery("github", null, firstPage[^1].Id, null, 10));
        Assert.Equal(2, firstPage.Count);
        Assert.Equal(3, secondPage.Count);
        Assert.Empty(firstPage.Select(e => e.Id).Intersect(secondPage.Select(e => e.Id)));
        Assert.Equal(3, (await Store.QueryAsync(new InboundQuery("github", "push", null, null, 10))).Count);
        var newest = await Store.QueryAsync(new InboundQuery(null, null, null, null, 2, Newest: true));
        Assert.Equal(["github", "stripe"], newest.Select(e => e.Source).ToArray());
        Assert.True(newest[0].Id < newest[1].Id);

        var sources = await Store.SourcesAsync();
        Assert.Equal([("github", 5L), ("stripe", 1L)], sources.Select(s => (s.Source, s.Count)).ToArray());
        var counts = await Store.CountsAsync("github", DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal([("issues", 2L), ("push", 3L)], counts.Select(c => (c.Type!, c.Count)).ToArray());
    }

    [Fact]
    public async Task Queries_narrow_to_several_sources_and_page_backwards()
    {
        foreach (var source in new[] { "github", "stripe", "vercel", "github", "vercel" })
            await Store.AppendAsync(Draft(source, Guid.NewGuid().ToString("N"), "t"));
        var all = await Store.QueryAsync(new InboundQuery(null, null, null, null, 10));

        var two = await Store.QueryAsync(new InboundQuery(null, null, null, null, 10, Sources: ["github", "vercel"]));
        Assert.Equal(["github", "vercel", "github", "vercel"], two.Select(e => e.Source).ToArray());
        var newestBefore = await Store.QueryAsync(new InboundQuery(null, null, null, null, 2, Newest: true, Sources: ["github", "vercel"], BeforeId: all[4].Id));
        Assert.Equal([all[2].Id, all[3].Id], newestBefore.Select(e => e.Id).ToArray());
        Assert.Empty(await Store.QueryAsync(new InboundQuery(null, null, null, null, 10, Sources: [])));
    }

    [Fact]
    public async Task Retention_keeps_the_newest_events_of_a_source()
    {
        for (var i = 0; i < 5; i++)
            await Store.AppendAsync(Draft("github", $"g{i}"));
        await Store.AppendAsync(Draft("stripe", "s0"));

        Assert.Equal(3, await Store.PruneAsync("github", 2, DateTimeOffset.UtcNow.AddDays(-1)));

        var left = await Store.QueryAsync(new InboundQuery("github", null, null, null, 10));
        Assert.Equal(["g3", "g4"], left.Select(e => e.DeliveryId).ToArray());
        Assert.Single(await Store.QueryAsync(new InboundQuery("stripe", null, null, null, 10)));
    }
}

public sealed class MemoryInboundEventStoreConformanceTests : InboundEventStoreConformance
{
    public override Task InitializeAsync()
    {
        Log = new MemoryMessageLog(Options.Create(new LogOptions()), TimeProvider.System);
        Store = new MemoryInboundEventStore(Log);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresInboundEventStoreConformanceTests : InboundEventStoreConformance
{
    private PostgresProviderSet _set = null!;

    public override async Task InitializeAsync()
    {
        _set = await PostgresProviderSet.CreateAsync();
        Log = _set.Log;
        Store = new PostgresInboundEventStore(_set.DataSource, _set.Notifications);
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}

public sealed class SqliteInboundEventStoreConformanceTests : InboundEventStoreConformance
{
    private SqliteProviderSet _set = null!;

    public override Task InitializeAsync()
    {
        _set = SqliteProviderSet.Create();
        Log = _set.Log;
        Store = _set.Events;
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}
