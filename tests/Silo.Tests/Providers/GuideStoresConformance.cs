using Herald.Contracts;
using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Herald.Silo.Tests.Infrastructure;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Tests.Providers;

/// <summary>The stores the MCP event-patterns guide's patterns add (action completions, subscriptions): the same facts on each storage.</summary>
public abstract class GuideStoresConformance : IAsyncLifetime
{
    protected IInboundEventStore Events { get; set; } = null!;

    protected IActionCompletionStore Completions { get; set; } = null!;

    protected ISubscriptionStore Subscriptions { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>On a database, completions reference their event and go with it (memory keeps them apart).</summary>
    protected async Task PruningAnEventRemovesItsCompletionsAsync()
    {
        var eventId = (await Events.AppendAsync(new InboundEventDraft("stripe", "x", "gone", new Dictionary<string, string>(), "{}", "{}", "stripe"))).Event.Id;
        await Completions.CompleteAsync(new ActionCompletion(eventId, "a", "api", null, DateTimeOffset.UtcNow));

        await Events.PruneAsync("stripe", 0, DateTimeOffset.UtcNow.AddDays(-1));

        Assert.Empty(await Completions.FindAsync([eventId]));
    }

    private async Task<long> EventAsync(string delivery) =>
        (await Events.AppendAsync(new InboundEventDraft("stripe", "invoice.payment_failed", delivery, new Dictionary<string, string>(), "{}", "{}", "stripe"))).Event.Id;

    [Fact]
    public async Task A_completion_is_recorded_once_even_when_completed_concurrently()
    {
        var eventId = await EventAsync("evt_1");
        var at = DateTimeOffset.UtcNow;

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Completions.CompleteAsync(new ActionCompletion(eventId, "send_payment_failed_email", $"worker-{i}", $"try {i}", at)).AsTask()));

        var winner = Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(winner.Completion.CompletedBy, r.Completion.CompletedBy));
        var other = await Completions.CompleteAsync(new ActionCompletion(eventId, "another_action", "api", null, at));
        Assert.True(other.Created, "another action of the same event is another completion");
        var found = await Completions.FindAsync([eventId, eventId + 1000]);
        Assert.Equal(["another_action", "send_payment_failed_email"], found.Select(c => c.Action).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(winner.Completion.Details, found.Single(c => c.Action == "send_payment_failed_email").Details);
        Assert.Empty(await Completions.FindAsync([]));
    }

    [Fact]
    public async Task A_subscription_keeps_its_cursor_when_subscribed_again_and_the_cursor_only_moves_forward()
    {
        var now = DateTimeOffset.UtcNow;
        var (created, isNew) = await Subscriptions.UpsertAsync(new EventSubscription("github+stripe", ["github", "stripe"], "summarize", 10, now, now));
        Assert.True(isNew);
        Assert.Equal(10, created.Cursor);

        Assert.Equal(25, (await Subscriptions.AdvanceAsync("", "github+stripe", 25))!.Cursor);
        Assert.Equal(25, (await Subscriptions.AdvanceAsync("", "github+stripe", 20))!.Cursor);
        Assert.Null(await Subscriptions.AdvanceAsync("", "missing", 5));

        var (again, againNew) = await Subscriptions.UpsertAsync(new EventSubscription("github+stripe", ["github"], "commits only", 99, now, now.AddSeconds(1)));
        Assert.False(againNew);
        Assert.Equal(25, again.Cursor);
        Assert.Equal(["github"], again.Sources.ToArray());
        Assert.Equal("commits only", again.Description);
        var (kept, _) = await Subscriptions.UpsertAsync(new EventSubscription("github+stripe", ["github"], null, 0, now, now.AddSeconds(2)));
        Assert.Equal("commits only", kept.Description);

        await Subscriptions.UpsertAsync(new EventSubscription("all", [], null, 1, now, now));
        Assert.Equal(["all", "github+stripe"], (await Subscriptions.ListAsync("")).Select(s => s.Name).ToArray());
        Assert.Equal(2, await Subscriptions.CountAsync());
        Assert.True(await Subscriptions.DeleteAsync("", "all"));
        Assert.False(await Subscriptions.DeleteAsync("", "all"));
        Assert.Null(await Subscriptions.GetAsync("", "all"));
        Assert.Equal(25, (await Subscriptions.GetAsync("", "github+stripe"))!.Cursor);
    }

    [Fact]
    public async Task Each_owner_has_names_of_its_own_and_a_cursor_moves_only_for_its_owner()
    {
        var now = DateTimeOffset.UtcNow;
        await Subscriptions.UpsertAsync(new EventSubscription("github", ["github"], "alice's", 5, now, now, "alice"));
        var (bobs, created) = await Subscriptions.UpsertAsync(new EventSubscription("github", ["github"], "bob's", 7, now, now, "bob"));
        Assert.True(created, "the same name under another owner is another subscription");
        Assert.Equal("bob", bobs.Owner);

        Assert.Equal(30, (await Subscriptions.AdvanceAsync("alice", "github", 30))!.Cursor);
        Assert.Equal(7, (await Subscriptions.GetAsync("bob", "github"))!.Cursor);
        Assert.Null(await Subscriptions.GetAsync("carol", "github"));
        Assert.Null(await Subscriptions.AdvanceAsync("carol", "github", 99));
        Assert.False(await Subscriptions.DeleteAsync("carol", "github"));

        Assert.Equal<string[]>(["alice's"], (await Subscriptions.ListAsync("alice")).Select(s => s.Description!).ToArray());
        Assert.Equal([("alice", "github"), ("bob", "github")], (await Subscriptions.ListAsync(null)).Select(s => (s.Owner, s.Name)).ToArray());
        Assert.True(await Subscriptions.DeleteAsync("alice", "github"));
        Assert.Equal("bob's", (await Subscriptions.GetAsync("bob", "github"))!.Description);
    }
}

public sealed class MemoryGuideStoresConformanceTests : GuideStoresConformance
{
    public override Task InitializeAsync()
    {
        Events = new MemoryInboundEventStore(new MemoryMessageLog(Options.Create(new LogOptions()), TimeProvider.System));
        Completions = new MemoryActionCompletionStore();
        Subscriptions = new MemorySubscriptionStore(TimeProvider.System);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresGuideStoresConformanceTests : GuideStoresConformance
{
    private PostgresProviderSet _set = null!;

    public override async Task InitializeAsync()
    {
        _set = await PostgresProviderSet.CreateAsync();
        Events = new PostgresInboundEventStore(_set.DataSource, _set.Notifications);
        Completions = new PostgresActionCompletionStore(_set.DataSource);
        Subscriptions = new PostgresSubscriptionStore(_set.DataSource, TimeProvider.System);
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();

    [Fact]
    public Task Pruning_an_event_removes_its_completions() => PruningAnEventRemovesItsCompletionsAsync();
}

public sealed class SqliteGuideStoresConformanceTests : GuideStoresConformance
{
    private SqliteProviderSet _set = null!;

    public override Task InitializeAsync()
    {
        _set = SqliteProviderSet.Create();
        Events = _set.Events;
        Completions = _set.Completions;
        Subscriptions = _set.Subscriptions;
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();

    [Fact]
    public Task Pruning_an_event_removes_its_completions() => PruningAnEventRemovesItsCompletionsAsync();
}
