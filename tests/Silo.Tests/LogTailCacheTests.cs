using Herald.Contracts;
using Herald.Infrastructure.Storage;

namespace Herald.Silo.Tests;

public sealed class LogTailCacheTests
{
    private static LogEntry M(long seq, string text = "m") => new(seq, "default", text, DateTimeOffset.UnixEpoch.AddSeconds(seq));

    private static long[] Seqs(IReadOnlyList<LogEntry> messages) => messages.Select(m => m.Seq).ToArray();

    [Fact]
    public void A_recorded_read_answers_later_reads_only_when_the_answer_is_whole()
    {
        var cache = new LogTailCache(100, 1_000_000);
        cache.Record(0, [M(1), M(2), M(3)]);

        Assert.True(cache.TryRead(0, 3, knownHead: 3, out var all));
        Assert.Equal([1L, 2, 3], Seqs(all));
        Assert.True(cache.TryRead(1, 10, knownHead: 3, out var rest));
        Assert.Equal([2L, 3], Seqs(rest));

        // Everything it asked for is cached, whatever lies beyond.
        Assert.True(cache.TryRead(1, 1, knownHead: 9, out var one));
        Assert.Equal([2L], Seqs(one));

        // Entries up to 9 are known to exist and the cache ends at 3; at its end there is nothing to say.
        Assert.False(cache.TryRead(1, 10, knownHead: 9, out _));
        Assert.False(cache.TryRead(3, 10, knownHead: 3, out _));
        Assert.False(cache.TryRead(1, 10, knownHead: -1, out _));
    }

    [Fact]
    public void Own_appends_extend_the_tail_only_when_they_follow_it_directly()
    {
        var cache = new LogTailCache(100, 1_000_000);
        cache.Appended(M(1));
        Assert.False(cache.TryRead(0, 10, knownHead: 1, out _));

        cache.Record(0, [M(1)]);
        cache.Appended(M(2));
        Assert.True(cache.TryRead(1, 10, knownHead: 2, out var next));
        Assert.Equal([2L], Seqs(next));

        // Another process appended 3: 4 does not follow what the cache knows.
        cache.Appended(M(4));
        Assert.False(cache.TryRead(0, 10, knownHead: 4, out _));
        Assert.True(cache.TryRead(0, 2, knownHead: 4, out var known));
        Assert.Equal([1L, 2], Seqs(known));
    }

    [Fact]
    public void Reads_past_the_tail_start_a_new_one_and_older_reads_leave_it_alone()
    {
        var cache = new LogTailCache(100, 1_000_000);
        cache.Record(10, [M(11), M(12)]);

        cache.Record(2, [M(3), M(4)]);
        Assert.False(cache.TryRead(2, 10, knownHead: 4, out _));
        Assert.True(cache.TryRead(10, 10, knownHead: 12, out var tail));
        Assert.Equal([11L, 12], Seqs(tail));

        cache.Record(20, [M(21)]);
        Assert.False(cache.TryRead(10, 10, knownHead: 21, out _));
        Assert.True(cache.TryRead(20, 10, knownHead: 21, out var moved));
        Assert.Equal([21L], Seqs(moved));
    }

    [Fact]
    public void Holes_from_rolled_back_appends_are_kept_as_holes()
    {
        var cache = new LogTailCache(100, 1_000_000);
        cache.Record(0, [M(1), M(3)]);

        Assert.True(cache.TryRead(1, 10, knownHead: 3, out var after));
        Assert.Equal([3L], Seqs(after));
        Assert.True(cache.TryRead(2, 10, knownHead: 3, out var inHole));
        Assert.Equal([3L], Seqs(inHole));
    }

    [Fact]
    public void The_oldest_entries_go_first_when_either_bound_is_reached()
    {
        var byCount = new LogTailCache(3, 1_000_000);
        byCount.Record(0, [M(1), M(2), M(3), M(4), M(5)]);
        Assert.False(byCount.TryRead(1, 10, knownHead: 5, out _));
        Assert.True(byCount.TryRead(2, 10, knownHead: 5, out var kept));
        Assert.Equal([3L, 4, 5], Seqs(kept));

        var bySize = new LogTailCache(100, 2 * (1000 + 7 + 64));
        bySize.Record(0, [M(1, new string('a', 1000)), M(2, new string('b', 1000)), M(3, new string('c', 1000))]);
        Assert.False(bySize.TryRead(0, 10, knownHead: 3, out _));
        Assert.True(bySize.TryRead(1, 10, knownHead: 3, out var small));
        Assert.Equal([2L, 3], Seqs(small));
    }

    [Fact]
    public void A_zero_size_cache_holds_nothing()
    {
        var off = new LogTailCache(0, 0);
        off.Record(0, [M(1)]);
        off.Appended(M(2));
        Assert.False(off.TryRead(0, 1, knownHead: 2, out _));
    }

    [Fact]
    public void Pruned_entries_are_forgotten_and_never_cached_again()
    {
        var cache = new LogTailCache(100, 1_000_000);
        cache.Record(0, [M(1), M(2), M(3), M(4)]);

        cache.DropThrough(2);
        Assert.False(cache.TryRead(1, 10, knownHead: 4, out _));
        Assert.True(cache.TryRead(2, 10, knownHead: 4, out var kept));
        Assert.Equal([3L, 4], Seqs(kept));

        // A read that started before the prune comes back after it: what it holds of the pruned stretch stays out.
        cache.Clear();
        cache.Record(0, [M(1), M(2), M(3)]);
        Assert.False(cache.TryRead(1, 10, knownHead: 3, out _));
        Assert.True(cache.TryRead(2, 10, knownHead: 3, out var fresh));
        Assert.Equal([3L], Seqs(fresh));

        cache.DropThrough(3);
        Assert.False(cache.TryRead(2, 10, knownHead: 3, out _));
        cache.Record(1, [M(2), M(3)]);
        Assert.False(cache.TryRead(1, 10, knownHead: 3, out _));
    }
}
