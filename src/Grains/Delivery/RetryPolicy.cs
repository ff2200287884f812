using Microsoft.Extensions.Options;

namespace Herald.Grains.Delivery;

/// <summary>When to try a failed message again.</summary>
public sealed class RetryPolicy(IOptions<DeliveryOptions> options)
{
    /// <summary>
    /// The delay before the next attempt after <paramref name="attemptsMade"/> failed attempts, or null when the
    /// schedule is exhausted. A <paramref name="retryAfter"/> from the endpoint replaces the scheduled delay.
    /// </summary>
    public TimeSpan? NextDelay(int attemptsMade, TimeSpan? retryAfter)
    {
        var schedule = options.Value.EffectiveRetrySchedule;
        if (attemptsMade < 1 || attemptsMade > schedule.Count)
            return null;
        if (retryAfter is { } requested)
            return requested > options.Value.MaxRetryAfter ? options.Value.MaxRetryAfter : requested;

        var jitter = options.Value.Jitter * ((Random.Shared.NextDouble() * 2) - 1);
        return schedule[attemptsMade - 1] * (1 + jitter);
    }
}
