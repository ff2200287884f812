using Herald.Contracts;
using Herald.Infrastructure.MessageLog;
using Herald.Silo.Tests.Infrastructure;
using Herald.MessageLog;
using Herald.Testing;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Tests.Providers;

/// <summary>What every log provider must do, run against each implementation.</summary>
public abstract class MessageLogConformance : IAsyncLifetime
{
    protected IMessageLog Log { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task The_newest_entries_of_a_topic_and_the_activity_per_topic_are_read_back_with_a_pushs_data()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var first = await Log.AppendAsync("deploys", "one");
        await Log.AppendAsync("orders", "two");
        var withData = (await Log.AppendOnceAsync("deploys", "three", "key-3", """{"version":"1.4.2"}""")).Entry;
        var last = await Log.AppendAsync("deploys", "four");

        Assert.Equal([withData.Seq, last.Seq], (await Log.ReadNewestAsync("deploys", 2)).Select(m => m.Seq).ToArray());
        Assert.Equal([first.Seq, withData.Seq, last.Seq], (await Log.ReadNewestAsync("deploys", 10)).Select(m => m.Seq).ToArray());
        Assert.Equal(4, (await Log.ReadNewestAsync(null, 10)).Count);
        Assert.Empty(await Log.ReadNewestAsync("nothing-here", 10));
        Assert.Empty(await Log.ReadNewestAsync(null, 0));
        Assert.Equal("""{"version":"1.4.2"}""", (await Log.ReadAsync(first.Seq + 1, 10)).Single(m => m.Seq == withData.Seq).Payload);

        var activity = await Log.TopicActivityAsync(before);
        Assert.Equal([("deploys", 3L), ("orders", 1L)], activity.Select(a => (a.Topic, a.Messages)).ToArray());
        Assert.Equal(last.Timestamp, activity[0].LastAt, TimeSpan.FromMilliseconds(1));
        Assert.Empty(await Log.TopicActivityAsync(DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Appends_get_increasing_sequences_and_read_back_in_order()
    {
        var first = await Log.AppendAsync("default", "one");
        var second = await Log.AppendAsync("orders.created", "two\nlines");
        var third = await Log.AppendAsync("default", "three ✓");

        Assert.True(first.Seq < second.Seq && second.Seq < third.Seq);
        Assert.True(first.Timestamp <= second.Timestamp && second.Timestamp <= third.Timestamp);
        var all = await Log.ReadAsync(0, 10);
        Assert.Equal([first.Seq, second.Seq, third.Seq], all.Select(m => m.Seq).ToArray());
        Assert.Equal(["one", "two\nlines", "three ✓"], all.Select(m => m.Message).ToArray());
        Assert.Equal("orders.created", all[1].Topic);
        Assert.Equal([second.Seq], (await Log.ReadAsync(first.Seq, 1)).Select(m => m.Seq).ToArray());
        Assert.Empty(await Log.ReadAsync(third.Seq, 10));
    }

    [Fact]
    public async Task Concurrent_reads_each_get_their_own_answer_and_see_every_append_that_finished_before_them()
    {
        var appended = new List<long>();
        for (var i = 0; i < 5; i++)
            appended.Add((await Log.AppendAsync("default", $"m{i}")).Seq);

        // Many readers at once, most asking the same thing (as woken grains do), some with other cursors and limits.
        var asks = Enumerable.Range(0, 300).Select(i => (After: i % 3 == 0 ? appended[i % 5] : appended[0] - 1, Limit: 1 + (i % 4))).ToArray();
        var answers = await Task.WhenAll(asks.Select(async a => await Log.ReadAsync(a.After, a.Limit)));
        for (var i = 0; i < asks.Length; i++)
            Assert.Equal(appended.Where(s => s > asks[i].After).Take(asks[i].Limit).ToArray(), answers[i].Select(m => m.Seq).ToArray());

        // A read started after an append returned must include it, however many reads are in flight.
        var readers = Enumerable.Range(0, 50).Select(_ => Log.ReadAsync(appended[^1], 10).AsTask()).ToList();
        var next = await Log.AppendAsync("default", "after");
        Assert.Equal([next.Seq], (await Log.ReadAsync(appended[^1], 10)).Select(m => m.Seq).ToArray());
        await Task.WhenAll(readers);
        Assert.Empty(await Log.ReadAsync(next.Seq, 0));
    }

    [Fact]
    public async Task Bounds_cover_what_is_retained()
    {
        var empty = await Log.GetBoundsAsync();
        Assert.Equal(empty.Head + 1, empty.FirstRetained);

        var first = await Log.AppendAsync("default", "a");
        var last = await Log.AppendAsync("default", "b");
        var bounds = await Log.GetBoundsAsync();

        Assert.Equal(last.Seq, bounds.Head);
        Assert.True(bounds.FirstRetained <= first.Seq);
    }

    [Fact]
    public async Task Count_applies_the_topic_filter_like_the_in_process_matcher()
    {
        await Log.AppendAsync("default", "1");
        var start = (await Log.GetBoundsAsync()).Head;
        foreach (var topic in new[] { "orders.created", "orders.paid", "inbound.github", "billing", "orders_x", "a%b" })
            await Log.AppendAsync(topic, topic);

        Assert.Equal(5, await Log.CountAsync(start, TopicFilter.AllButInbound));
        Assert.Equal(2, await Log.CountAsync(start, TopicFilter.From(["orders.*"])));
        Assert.Equal(1, await Log.CountAsync(start, TopicFilter.From(["inbound.*"])));
        Assert.Equal(6, await Log.CountAsync(start, TopicFilter.From(["*"])));
        Assert.Equal(1, await Log.CountAsync(start, TopicFilter.From(["a%b"])));
        Assert.Equal(0, await Log.CountAsync(start, TopicFilter.From(["orders_"])));
        Assert.Equal(7, await Log.CountAsync(0, TopicFilter.From(["*"])));
    }

    [Fact]
    public async Task Find_first_at_or_after_a_time_returns_the_first_later_entry()
    {
        var first = await Log.AppendAsync("default", "a");
        var second = await Log.AppendAsync("default", "b");

        Assert.Equal(first.Seq, await Log.FindFirstAtOrAfterAsync(first.Timestamp.AddHours(-1)));
        Assert.Equal(second.Seq, await Log.FindFirstAtOrAfterAsync(second.Timestamp));
        Assert.Null(await Log.FindFirstAtOrAfterAsync(second.Timestamp.AddHours(1)));
    }

    [Fact]
    public async Task Wait_for_append_completes_on_a_new_entry_and_honours_cancellation()
    {
        var head = (await Log.GetBoundsAsync()).Head;
        var waiting = Log.WaitForAppendAsync(head, CancellationToken.None).AsTask();
        await Log.AppendAsync("default", "wake up");
        await waiting.WaitAsync(Eventually.Timeout);

        await Log.WaitForAppendAsync(head, CancellationToken.None).AsTask().WaitAsync(Eventually.Timeout);

        using var cancellation = new CancellationTokenSource();
        var pending = Log.WaitForAppendAsync(head + 1, cancellation.Token).AsTask();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Eventually.Timeout));
    }
}

public sealed class MemoryStreamLogConformanceTests : MessageLogConformance
{
    public override Task InitializeAsync()
    {
        Log = new MemoryMessageLog(Options.Create(new LogOptions()), TimeProvider.System);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresStreamLogConformanceTests : MessageLogConformance
{
    private PostgresProviderSet _set = null!;

    public override async Task InitializeAsync()
    {
        _set = await PostgresProviderSet.CreateAsync();
        Log = _set.Log;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}

public sealed class SqliteStreamLogConformanceTests : MessageLogConformance
{
    private SqliteProviderSet _set = null!;

    public override Task InitializeAsync()
    {
        _set = SqliteProviderSet.Create();
        Log = _set.Log;
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}
