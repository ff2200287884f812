using Herald.Testing;
using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Tests.Infrastructure;

namespace Herald.Silo.Tests;

public sealed class GrainDeactivationTests
{
    private static readonly Dictionary<string, string?> FastCollection = new()
    {
        ["Herald:Grains:IdleTimeout"] = "00:00:00.100",
        ["Herald:Grains:CollectionInterval"] = "00:00:00.020",
    };

    [Fact]
    public async Task Idle_grain_is_deactivated_and_the_next_call_gets_a_new_activation()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ILifecycleGrain, LifecycleGrain>(), FastCollection);
        var grain = silo.Factory.GetGrain<ILifecycleGrain>("idle");
        silo.Probe.Open("deactivate:idle");

        Assert.Equal(1, await grain.GetActivationAsync());
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("deactivated 1"), Eventually.Timeout);
        Assert.Equal(0, silo.Catalog.Count);

        Assert.Equal(2, await grain.GetActivationAsync());
        // The second activation may already be idle again by now, so only the start of the story is fixed.
        Assert.Equal(["activated 1", "deactivating 1", "deactivated 1", "activated 2"], silo.Probe.Events.Take(4));
    }

    [Fact]
    public async Task Grain_that_refuses_deactivation_stays_active_while_idle()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ILifecycleGrain, StubbornGrain>(), FastCollection);
        var grain = silo.Factory.GetGrain<ILifecycleGrain>("stubborn");
        silo.Probe.Open("deactivate:stubborn");

        Assert.Equal(1, await grain.GetActivationAsync());
        // The collector has found it idle and asked several times, and was refused each time.
        await Eventually.TrueAsync(() => silo.Probe.Count("asked:stubborn") >= 3, Eventually.Timeout);

        Assert.Equal(1, silo.Catalog.Count);
        Assert.Equal(1, await grain.GetActivationAsync());
        Assert.Equal(["activated 1"], silo.Probe.Events);
    }

    [Fact]
    public async Task Deactivate_on_idle_deactivates_once_the_current_call_is_over()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ILifecycleGrain, LifecycleGrain>());
        var grain = silo.Factory.GetGrain<ILifecycleGrain>("leaving");
        silo.Probe.Open("deactivate:leaving");

        await grain.LeaveAsync();
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("deactivated 1"), Eventually.Timeout);

        Assert.Equal(
            ["activated 1", "leave requested 1", "leave finished 1", "deactivating 1", "deactivated 1"],
            silo.Probe.Events);
        Assert.Equal(2, await grain.GetActivationAsync());
    }

    [Fact]
    public async Task Call_during_deactivation_is_served_by_a_new_activation_that_starts_after_the_old_one_is_gone()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ILifecycleGrain, LifecycleGrain>());
        var grain = silo.Factory.GetGrain<ILifecycleGrain>("handover");
        silo.Probe.Open("deactivate:bystander");

        await grain.LeaveAsync();
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("deactivating 1"), Eventually.Timeout);
        var call = grain.GetActivationAsync();
        // A round trip through another grain gives a premature activation every chance to show up.
        await silo.Factory.GetGrain<ILifecycleGrain>("bystander").GetActivationAsync();

        Assert.False(call.IsCompleted);
        Assert.DoesNotContain("activated 2", silo.Probe.Events);

        silo.Probe.Open("deactivate:handover");
        Assert.Equal(2, await call.WaitAsync(Eventually.Timeout));
        var events = silo.Probe.Events.ToList();
        Assert.True(
            events.IndexOf("deactivated 1") < events.IndexOf("activated 2"),
            "The new activation started before the old one finished deactivating: " + string.Join(", ", events));
    }
}

public interface ILifecycleGrain : IGrainWithStringKey
{
    Task<int> GetActivationAsync();

    /// <summary>Asks for deactivation, then keeps working a little before the call returns.</summary>
    Task LeaveAsync();
}

/// <summary>
/// Records its lifecycle as "{event} {activation number}" (only for keys other than "bystander"). Its
/// OnDeactivateAsync waits for the gate <c>deactivate:{key}</c>.
/// </summary>
public class LifecycleGrain(GrainProbe probe) : Grain, ILifecycleGrain
{
    protected GrainProbe Probe { get; } = probe;

    protected int Activation { get; private set; }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Activation = Probe.Increment("activate:" + GrainKey);
        Record("activated");
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        Record("deactivating");
        await Probe.Gate("deactivate:" + GrainKey);
        Record("deactivated");
    }

    public Task<int> GetActivationAsync() => Task.FromResult(Activation);

    public async Task LeaveAsync()
    {
        Context.DeactivateOnIdle();
        Record("leave requested");
        await Task.Yield();
        await Task.Delay(10);
        Record("leave finished");
    }

    protected void Record(string @event)
    {
        if (GrainKey != "bystander")
            Probe.Record($"{@event} {Activation}");
    }
}

/// <summary>Says no whenever the idle collector asks whether it may be deactivated.</summary>
public sealed class StubbornGrain(GrainProbe probe) : LifecycleGrain(probe)
{
    public override bool CanDeactivate
    {
        get
        {
            Probe.Increment("asked:" + GrainKey);
            return false;
        }
    }
}
