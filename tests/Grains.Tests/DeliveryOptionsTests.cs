using System.ComponentModel.DataAnnotations;
using Herald.Grains.Delivery;

namespace Herald.Grains.Tests;

public sealed class DeliveryOptionsTests
{
    private static List<ValidationResult> Validate(DeliveryOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(Validate(new DeliveryOptions()));

    [Fact]
    public void Default_retry_schedule_has_nine_delays_starting_at_five_seconds()
    {
        var schedule = new DeliveryOptions().EffectiveRetrySchedule;

        Assert.Equal(9, schedule.Count);
        Assert.Equal(TimeSpan.FromSeconds(5), schedule[0]);
        Assert.Equal(TimeSpan.FromHours(24), schedule[^1]);
        Assert.Equal(schedule.Order(), schedule);
    }

    [Fact]
    public void Configured_schedule_replaces_the_default_and_empty_means_no_retries()
    {
        Assert.Equal([TimeSpan.FromSeconds(1)], new DeliveryOptions { RetrySchedule = [TimeSpan.FromSeconds(1)] }.EffectiveRetrySchedule);
        Assert.Empty(new DeliveryOptions { RetrySchedule = [] }.EffectiveRetrySchedule);
        Assert.Empty(Validate(new DeliveryOptions { RetrySchedule = [] }));
    }

    [Fact]
    public void Negative_retry_delay_is_rejected()
    {
        var options = new DeliveryOptions { RetrySchedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1)] };

        var error = Assert.Single(Validate(options));
        Assert.Equal([nameof(DeliveryOptions.RetrySchedule)], error.MemberNames);
        Assert.Contains("negative", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_a_hundred_retries_are_rejected()
    {
        Assert.Empty(Validate(new DeliveryOptions { RetrySchedule = Enumerable.Repeat(TimeSpan.FromSeconds(1), 100).ToArray() }));

        var error = Assert.Single(Validate(new DeliveryOptions { RetrySchedule = Enumerable.Repeat(TimeSpan.FromSeconds(1), 101).ToArray() }));
        Assert.Equal([nameof(DeliveryOptions.RetrySchedule)], error.MemberNames);
    }

    [Fact]
    public void Out_of_range_settings_are_rejected()
    {
        Assert.Equal([nameof(DeliveryOptions.Jitter)], Assert.Single(Validate(new DeliveryOptions { Jitter = 1.5 })).MemberNames);
        Assert.Equal([nameof(DeliveryOptions.Timeout)], Assert.Single(Validate(new DeliveryOptions { Timeout = TimeSpan.Zero })).MemberNames);
        Assert.Equal([nameof(DeliveryOptions.UserAgent)], Assert.Single(Validate(new DeliveryOptions { UserAgent = "" })).MemberNames);
        Assert.Equal(
            [nameof(DeliveryOptions.ReadBatchSize)],
            Assert.Single(Validate(new DeliveryOptions { ReadBatchSize = 0 })).MemberNames);
    }
}
