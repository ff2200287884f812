using Herald.Testing;
using Herald.Silo.Streams;
using Herald.Silo.Tests.Infrastructure;

namespace Herald.Silo.Tests;

public sealed class MemoryDeliveryOutcomeFeedTests
{
    private readonly MemoryDeliveryOutcomeFeed _feed = new();

    [Fact]
    public async Task Wait_returns_the_successes_once_every_expected_outcome_is_reported()
    {
        using var watch = _feed.Watch(seq: 7, ["a", "b", "c"]);
        // No deadline of its own: only the reports can complete it.
        var waiting = watch.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);

        _feed.ReportFirstAttempt(7, "a", succeeded: true);
        _feed.ReportFirstAttempt(7, "b", succeeded: false);
        Assert.False(waiting.IsCompleted);
        _feed.ReportFirstAttempt(7, "c", succeeded: true);

        Assert.Equal(2, await waiting.WaitAsync(Eventually.Timeout));
    }

    [Fact]
    public async Task Wait_returns_the_successes_so_far_at_the_timeout()
    {
        using var watch = _feed.Watch(seq: 8, ["a", "b", "c"]);
        _feed.ReportFirstAttempt(8, "a", succeeded: true);
        _feed.ReportFirstAttempt(8, "b", succeeded: false);

        Assert.Equal(1, await watch.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }

    [Fact]
    public async Task Reports_for_other_sequences_or_after_dispose_are_not_counted()
    {
        var watch = _feed.Watch(seq: 9, ["a", "b"]);
        _feed.ReportFirstAttempt(10, "a", succeeded: true);
        _feed.ReportFirstAttempt(9, "a", succeeded: true);
        Assert.Equal(1, await watch.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));

        watch.Dispose();
        _feed.ReportFirstAttempt(9, "b", succeeded: true);

        Assert.Equal(1, await watch.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));
    }

    [Fact]
    public async Task Wait_with_nothing_expected_returns_zero_at_once()
    {
        using var watch = _feed.Watch(seq: 11, []);

        var waiting = watch.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);

        Assert.True(waiting.IsCompletedSuccessfully);
        Assert.Equal(0, await waiting);
    }

    [Fact]
    public async Task Wait_honours_cancellation()
    {
        using var watch = _feed.Watch(seq: 12, ["a"]);
        using var cancellation = new CancellationTokenSource();

        var waiting = watch.WaitAsync(Timeout.InfiniteTimeSpan, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Eventually.Timeout));
    }

    [Fact]
    public async Task Each_endpoint_counts_once_and_strangers_do_not_count()
    {
        using var watch = _feed.Watch(seq: 13, ["a", "b"]);
        var waiting = watch.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);

        // A grain waiting out a retry reports "not now" at once, and may report its real first attempt later.
        _feed.ReportFirstAttempt(13, "a", succeeded: false);
        _feed.ReportFirstAttempt(13, "a", succeeded: true);
        _feed.ReportFirstAttempt(13, "stranger", succeeded: true);
        Assert.False(waiting.IsCompleted, "b has not reported yet");

        _feed.ReportFirstAttempt(13, "b", succeeded: true);
        Assert.Equal(1, await waiting.WaitAsync(Eventually.Timeout));
    }

    [Fact]
    public async Task A_report_that_arrives_before_its_watch_still_counts()
    {
        _feed.ReportFirstAttempt(14, "a", succeeded: true);

        using var watch = _feed.Watch(seq: 14, ["a", "b"]);
        _feed.ReportFirstAttempt(14, "b", succeeded: true);

        Assert.Equal(2, await watch.WaitAsync(Eventually.Timeout, CancellationToken.None));
    }
}
