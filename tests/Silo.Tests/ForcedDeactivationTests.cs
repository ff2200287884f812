using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Silo.Tests;

public sealed class ForcedDeactivationTests
{
    private static Task<TestSilo> StartAsync() => TestSilo.StartAsync(services => services.AddGrain<IHoldingGrain, HoldingGrain>());

    [Fact]
    public async Task Forced_deactivation_of_a_reentrant_grain_waits_for_the_calls_inside_it()
    {
        await using var silo = await StartAsync();
        var grain = silo.Factory.GetGrain<IHoldingGrain>("held");

        var holding = grain.HoldAsync("release");
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("enter 1"), Eventually.Timeout);
        await grain.LeaveAsync();
        var successor = grain.ActivationAsync();

        silo.Probe.Open("release");
        await holding.WaitAsync(Eventually.Timeout);
        Assert.Equal(2, await successor.WaitAsync(Eventually.Timeout));

        var events = silo.Probe.Events.ToList();
        Assert.True(events.IndexOf("leave 1") < events.IndexOf("deactivated 1"), string.Join(" | ", events));
        Assert.True(events.IndexOf("deactivated 1") < events.IndexOf("activate 2"), string.Join(" | ", events));
    }

    [Fact]
    public async Task A_stopped_catalog_refuses_new_calls_and_holds_no_activations()
    {
        await using var silo = await StartAsync();
        var grain = silo.Factory.GetGrain<IHoldingGrain>("stopping");
        Assert.Equal(1, await grain.ActivationAsync());

        await silo.Catalog.StopAsync(CancellationToken.None);

        Assert.Equal(0, silo.Catalog.Count);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.ActivationAsync());
        Assert.Contains("stopping", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, silo.Catalog.Count);
    }
}

public interface IHoldingGrain : IGrainWithStringKey
{
    Task HoldAsync(string gate);

    Task LeaveAsync();

    Task<int> ActivationAsync();
}

[Reentrant]
public sealed class HoldingGrain(GrainProbe probe) : Grain, IHoldingGrain
{
    private int _activation;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activation = probe.Increment("activations");
        probe.Record($"activate {_activation}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        probe.Record($"deactivated {_activation}");
        return Task.CompletedTask;
    }

    public async Task HoldAsync(string gate)
    {
        probe.Record($"enter {_activation}");
        await probe.Gate(gate);
        probe.Record($"leave {_activation}");
    }

    public Task LeaveAsync()
    {
        Context.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<int> ActivationAsync() => Task.FromResult(_activation);
}
