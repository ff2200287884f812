using Herald.Contracts;
using Herald.Infrastructure.MessageLog;
using Herald.Silo.Tests.Infrastructure;
using Herald.MessageLog;
using Herald.Testing;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Tests;

public sealed class MemoryMessageLogTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(Start);

    private MemoryMessageLog CreateLog(int retentionCount = 100_000) =>
        new(Options.Create(new LogOptions { RetentionCount = retentionCount }), _time);

    private static async Task AppendManyAsync(MemoryMessageLog log, int count)
    {
        for (var i = 0; i < count; i++)
            await log.AppendAsync("t", "m" + i);
    }

    [Fact]
    public async Task Append_assigns_sequence_numbers_one_two_three_with_topic_message_and_time()
    {
        var log = CreateLog();

        var first = await log.AppendAsync("orders.created", "a");
        var second = await log.AppendAsync("orders.paid", "b");
        var third = await log.AppendAsync("orders.created", "c");

        Assert.Equal([1L, 2L, 3L], [first.Seq, second.Seq, third.Seq]);
        Assert.Equal(("orders.paid", "b", Start), (second.Topic, second.Message, second.Timestamp));
        Assert.Equal(new LogBounds(1, 3), await log.GetBoundsAsync());
    }

    [Fact]
    public async Task Read_returns_entries_after_the_given_sequence_in_order_and_at_most_max_count()
    {
        var log = CreateLog();
        await AppendManyAsync(log, 10);

        Assert.Equal([1L, 2L, 3L], (await log.ReadAsync(0, 3)).Select(m => m.Seq));
        Assert.Equal([4L, 5L, 6L, 7L, 8L, 9L, 10L], (await log.ReadAsync(3, 100)).Select(m => m.Seq));
        Assert.Equal(["m3", "m4"], (await log.ReadAsync(3, 2)).Select(m => m.Message));
        Assert.Equal([1L, 2L], (await log.ReadAsync(-5, 2)).Select(m => m.Seq));
        Assert.Empty(await log.ReadAsync(10, 5));
        Assert.Empty(await log.ReadAsync(50, 5));
        Assert.Empty(await log.ReadAsync(0, 0));
    }

    [Fact]
    public async Task Bounds_of_an_empty_log_are_head_plus_one_and_head()
    {
        var log = CreateLog();

        Assert.Equal(new LogBounds(1, 0), await log.GetBoundsAsync());
        Assert.Empty(await log.ReadAsync(0, 10));
    }

    [Fact]
    public async Task Retention_by_count_prunes_the_oldest_in_batches_of_an_eighth_and_moves_the_bounds()
    {
        var log = CreateLog(retentionCount: 16);

        await AppendManyAsync(log, 17);
        // One over retention is less than a batch (16 / 8 = 2): nothing is pruned yet.
        Assert.Equal(new LogBounds(1, 17), await log.GetBoundsAsync());

        await log.AppendAsync("t", "m17");
        Assert.Equal(new LogBounds(3, 18), await log.GetBoundsAsync());
        var retained = await log.ReadAsync(0, 100);
        Assert.Equal(16, retained.Count);
        Assert.Equal(3, retained[0].Seq);
        Assert.Equal(18, retained[^1].Seq);
    }

    [Fact]
    public async Task Retention_below_eight_prunes_one_entry_per_append()
    {
        var log = CreateLog(retentionCount: 4);

        await AppendManyAsync(log, 4);
        Assert.Equal(new LogBounds(1, 4), await log.GetBoundsAsync());

        await AppendManyAsync(log, 3);
        Assert.Equal(new LogBounds(4, 7), await log.GetBoundsAsync());
        Assert.Equal([4L, 5L, 6L, 7L], (await log.ReadAsync(0, 10)).Select(m => m.Seq));
        Assert.Equal([5L, 6L], (await log.ReadAsync(4, 2)).Select(m => m.Seq));
    }

    [Fact]
    public async Task Count_counts_retained_entries_after_a_sequence_that_match_the_filter()
    {
        var log = CreateLog();
        foreach (var topic in new[] { "orders.created", "orders.paid", "users.created", "inbound.mail", "orders.created" })
            await log.AppendAsync(topic, "m");

        Assert.Equal(3, await log.CountAsync(0, TopicFilter.From(["orders.*"])));
        Assert.Equal(2, await log.CountAsync(1, TopicFilter.From(["orders.*"])));
        Assert.Equal(3, await log.CountAsync(0, TopicFilter.From(["*.created"])));
        Assert.Equal(4, await log.CountAsync(0, TopicFilter.AllButInbound));
        Assert.Equal(1, await log.CountAsync(0, TopicFilter.From(["inbound.*"])));
        Assert.Equal(0, await log.CountAsync(5, TopicFilter.From(["*"])));
    }

    [Fact]
    public async Task Find_first_at_or_after_returns_the_first_entry_appended_at_or_after_the_time()
    {
        var log = CreateLog();
        await log.AppendAsync("t", "1");
        _time.Advance(TimeSpan.FromSeconds(1));
        await log.AppendAsync("t", "2");
        await log.AppendAsync("t", "3");
        _time.Advance(TimeSpan.FromSeconds(2));
        await log.AppendAsync("t", "4");

        Assert.Equal(1, await log.FindFirstAtOrAfterAsync(Start.AddHours(-1)));
        Assert.Equal(1, await log.FindFirstAtOrAfterAsync(Start));
        Assert.Equal(2, await log.FindFirstAtOrAfterAsync(Start.AddMilliseconds(500)));
        Assert.Equal(2, await log.FindFirstAtOrAfterAsync(Start.AddSeconds(1)));
        Assert.Equal(4, await log.FindFirstAtOrAfterAsync(Start.AddSeconds(2)));
        Assert.Equal(4, await log.FindFirstAtOrAfterAsync(Start.AddSeconds(3)));
        Assert.Null(await log.FindFirstAtOrAfterAsync(Start.AddSeconds(4)));
        Assert.Null(await CreateLog().FindFirstAtOrAfterAsync(Start));
    }

    [Fact]
    public async Task Timestamps_never_go_backwards_when_the_clock_does()
    {
        var log = CreateLog();
        _time.Advance(TimeSpan.FromMinutes(1));
        var first = await log.AppendAsync("t", "1");

        _time.Now = Start;
        var second = await log.AppendAsync("t", "2");

        Assert.Equal(first.Timestamp, second.Timestamp);
        Assert.Equal(1, await log.FindFirstAtOrAfterAsync(Start));
    }

    [Fact]
    public async Task Wait_for_append_completes_when_an_entry_is_appended()
    {
        var log = CreateLog();
        await log.AppendAsync("t", "1");

        var waiting = log.WaitForAppendAsync(1, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        await log.AppendAsync("t", "2");
        await waiting.WaitAsync(Eventually.Timeout);
    }

    [Fact]
    public async Task Wait_for_append_returns_at_once_when_the_head_is_already_past()
    {
        var log = CreateLog();
        await log.AppendAsync("t", "1");

        var waiting = log.WaitForAppendAsync(0, CancellationToken.None).AsTask();

        Assert.True(waiting.IsCompletedSuccessfully);
        await waiting;
    }

    [Fact]
    public async Task Wait_for_append_honours_cancellation()
    {
        var log = CreateLog();
        using var cancellation = new CancellationTokenSource();

        var waiting = log.WaitForAppendAsync(0, cancellation.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Eventually.Timeout));
        Assert.True(waiting.IsCanceled);
    }
}
