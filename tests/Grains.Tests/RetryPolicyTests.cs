using Herald.Grains.Delivery;
using Microsoft.Extensions.Options;

namespace Herald.Grains.Tests;

public sealed class RetryPolicyTests
{
    private static readonly TimeSpan[] Schedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)];

    private static RetryPolicy Policy(TimeSpan[]? schedule, double jitter = 0.2, TimeSpan? maxRetryAfter = null) =>
        new(Options.Create(new DeliveryOptions
        {
            RetrySchedule = schedule,
            Jitter = jitter,
            MaxRetryAfter = maxRetryAfter ?? TimeSpan.FromHours(24),
        }));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Delay_is_the_schedule_entry_within_the_jitter(int attemptsMade)
    {
        var policy = Policy(Schedule, jitter: 0.2);
        var scheduled = Schedule[attemptsMade - 1];

        var delays = Enumerable.Range(0, 500).Select(_ => policy.NextDelay(attemptsMade, retryAfter: null)).ToArray();

        Assert.All(delays, delay => Assert.InRange(delay!.Value, scheduled * 0.8, scheduled * 1.2));
        // 500 draws of a continuous jitter that all come out equal would mean there is no jitter.
        Assert.True(delays.Distinct().Count() > 1);
    }

    [Fact]
    public void Zero_jitter_gives_the_exact_schedule()
    {
        var policy = Policy(Schedule, jitter: 0);

        Assert.Equal(Schedule, Enumerable.Range(1, 3).Select(n => policy.NextDelay(n, retryAfter: null)!.Value));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(100)]
    public void No_delay_outside_the_schedule(int attemptsMade)
    {
        var policy = Policy(Schedule);

        Assert.Null(policy.NextDelay(attemptsMade, retryAfter: null));
        Assert.Null(policy.NextDelay(attemptsMade, retryAfter: TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Retry_after_replaces_the_scheduled_delay_without_jitter()
    {
        var policy = Policy(Schedule, jitter: 0.2);

        Assert.Equal(TimeSpan.FromSeconds(30), policy.NextDelay(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.NextDelay(3, TimeSpan.FromMilliseconds(100)));
        Assert.Equal(TimeSpan.Zero, policy.NextDelay(2, TimeSpan.Zero));
    }

    [Fact]
    public void Retry_after_is_capped_at_the_maximum()
    {
        var policy = Policy(Schedule, maxRetryAfter: TimeSpan.FromMinutes(10));

        Assert.Equal(TimeSpan.FromMinutes(10), policy.NextDelay(1, TimeSpan.FromHours(48)));
        Assert.Equal(TimeSpan.FromMinutes(10), policy.NextDelay(1, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Empty_schedule_means_no_retries()
    {
        var policy = Policy([]);

        Assert.Null(policy.NextDelay(1, retryAfter: null));
        Assert.Null(policy.NextDelay(1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void No_schedule_configured_uses_the_default_schedule()
    {
        var policy = Policy(schedule: null, jitter: 0);

        Assert.Equal(TimeSpan.FromSeconds(5), policy.NextDelay(1, retryAfter: null));
        Assert.Equal(TimeSpan.FromHours(24), policy.NextDelay(9, retryAfter: null));
        Assert.Null(policy.NextDelay(10, retryAfter: null));
    }
}
