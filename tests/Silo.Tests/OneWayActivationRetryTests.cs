using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Silo.Tests;

public sealed class OneWayActivationRetryTests
{
    [Fact]
    public async Task A_one_way_call_survives_failed_activations_and_runs_once_the_grain_activates()
    {
        await using var silo = await TestSilo.StartAsync(
            services => services.AddGrain<IFlakyActivationGrain, FlakyActivationGrain>(),
            new Dictionary<string, string?> { ["Herald:Grains:OneWayRetryDelay"] = "00:00:00.010" });
        var grain = silo.Factory.GetGrain<IFlakyActivationGrain>("flaky");

        await grain.NotifyAsync("wake up");

        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("notified wake up"), Eventually.Timeout);
        Assert.Equal(3, silo.Probe.Count("activation attempts"));
    }

    [Fact]
    public async Task A_call_with_a_caller_still_fails_to_that_caller_when_activation_fails()
    {
        await using var silo = await TestSilo.StartAsync(services => services.AddGrain<IFlakyActivationGrain, FlakyActivationGrain>());
        var grain = silo.Factory.GetGrain<IFlakyActivationGrain>("flaky-call");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.PingAsync());

        Assert.Contains("activation attempt 1", failure.Message, StringComparison.Ordinal);
    }
}

public interface IFlakyActivationGrain : IGrainWithStringKey
{
    [OneWay]
    Task NotifyAsync(string text);

    Task PingAsync();
}

/// <summary>Fails its first two activations, as a grain does while its storage is unreachable.</summary>
public sealed class FlakyActivationGrain(GrainProbe probe) : Grain, IFlakyActivationGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var attempt = probe.Increment("activation attempts");
        return attempt <= 2 ? throw new InvalidOperationException($"activation attempt {attempt} failed") : Task.CompletedTask;
    }

    public Task NotifyAsync(string text)
    {
        probe.Record($"notified {text}");
        return Task.CompletedTask;
    }

    public Task PingAsync() => Task.CompletedTask;
}
