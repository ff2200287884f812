using System.Text;
using Herald.Contracts;
using Herald.Gateway.Sse;

namespace Herald.Gateway.Tests;

/// <summary>A listener's queue: the hub offers, the stream's loop waits and reads, a close drains, an overflow aborts.</summary>
public sealed class SseConnectionTests
{
    private static SseFrame Frame(long seq) => new(seq, Encoding.UTF8.GetBytes($"id: {seq}\n\n"));

    private static SseConnection Connection(int capacity, Action? abort = null) =>
        new(TopicFilter.From([]), SseFormat.Text, capacity, abort ?? (() => { }));

    [Fact]
    public async Task A_waiting_reader_wakes_for_each_offer_and_reads_in_order()
    {
        var connection = Connection(capacity: 8);
        for (var round = 1; round <= 3; round++)
        {
            var wait = connection.WaitToReadAsync();
            Assert.False(wait.IsCompleted);
            connection.Offer(Frame(round * 10));
            connection.Offer(Frame((round * 10) + 1));
            Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(connection.TryRead(out var first));
            Assert.True(connection.TryRead(out var second));
            Assert.False(connection.TryRead(out _));
            Assert.Equal([round * 10, (round * 10) + 1], new[] { first.Seq, second.Seq });
        }
    }

    [Fact]
    public async Task A_close_lets_the_reader_write_what_is_queued_then_ends_the_stream()
    {
        var connection = Connection(capacity: 8);
        connection.Offer(Frame(1));
        connection.Offer(Frame(2));
        connection.Close();
        connection.Offer(Frame(3));

        Assert.True(await connection.WaitToReadAsync());
        Assert.True(connection.TryRead(out var first));
        Assert.True(connection.TryRead(out var second));
        Assert.False(connection.TryRead(out _));
        Assert.Equal([1L, 2L], new[] { first.Seq, second.Seq });
        Assert.False(await connection.WaitToReadAsync());
        Assert.False(connection.Overflowed);
    }

    [Fact]
    public async Task A_close_wakes_a_waiting_reader_with_the_end_of_the_stream()
    {
        var connection = Connection(capacity: 8);
        var wait = connection.WaitToReadAsync().AsTask();
        connection.Close();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(connection.TryRead(out _));
        Assert.False(await connection.WaitToReadAsync());
    }

    [Fact]
    public async Task A_frame_that_does_not_fit_aborts_the_connection_once_and_keeps_what_was_queued()
    {
        var aborts = 0;
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = Connection(capacity: 2, () =>
        {
            Interlocked.Increment(ref aborts);
            aborted.TrySetResult();
        });
        for (var seq = 1; seq <= 5; seq++)
            connection.Offer(Frame(seq));

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(connection.Overflowed);
        Assert.True(connection.TryRead(out var first));
        Assert.True(connection.TryRead(out var second));
        Assert.False(connection.TryRead(out _));
        Assert.Equal([1L, 2L], new[] { first.Seq, second.Seq });
        Assert.False(await connection.WaitToReadAsync());
        Assert.Equal(1, Volatile.Read(ref aborts));
    }

    [Fact]
    public async Task Offers_from_another_thread_all_arrive_while_the_reader_keeps_waiting()
    {
        const int Count = 20_000;
        var connection = Connection(capacity: Count);
        var writer = Task.Run(() =>
        {
            for (var seq = 1; seq <= Count; seq++)
                connection.Offer(Frame(seq));
            connection.Close();
        });

        var expected = 1L;
        while (await connection.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            while (connection.TryRead(out var frame))
                Assert.Equal(expected++, frame.Seq);
        }

        await writer;
        Assert.Equal(Count + 1, expected);
        Assert.False(connection.Overflowed);
    }
}
