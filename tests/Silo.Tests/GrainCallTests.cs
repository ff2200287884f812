using Herald.Testing;
using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Tests.Infrastructure;

namespace Herald.Silo.Tests;

public sealed class GrainCallTests
{
    [Fact]
    public async Task Results_of_grain_methods_come_back_to_the_caller()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ICalculatorGrain, CalculatorGrain>());
        var grain = silo.Factory.GetGrain<ICalculatorGrain>("calc");

        Assert.Equal(4, await grain.DivideAsync(12, 3));
        Assert.Equal("calc:hello", await grain.EchoAsync("hello"));
        await grain.RememberAsync("note");
        Assert.Equal(["note"], await grain.GetNotesAsync());
    }

    [Fact]
    public async Task Exception_thrown_by_a_grain_method_reaches_the_caller_and_the_grain_serves_the_next_call()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ICalculatorGrain, CalculatorGrain>());
        var grain = silo.Factory.GetGrain<ICalculatorGrain>("calc");

        await Assert.ThrowsAsync<DivideByZeroException>(() => grain.DivideAsync(1, 0));
        var failure = await Assert.ThrowsAsync<ArgumentException>(() => grain.RememberAsync(""));
        Assert.Equal("note", failure.ParamName);

        Assert.Equal(2, await grain.DivideAsync(6, 3));
        Assert.Equal(1, silo.Probe.Count("activate:calc"));
    }

    [Fact]
    public async Task One_way_call_returns_a_completed_task_while_the_grain_is_blocked_and_runs_afterwards()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ICalculatorGrain, CalculatorGrain>());
        var grain = silo.Factory.GetGrain<ICalculatorGrain>("calc");

        var blocked = grain.BlockAsync("release");
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("blocked"), Eventually.Timeout);

        var oneWay = grain.NotifyAsync("ping");

        Assert.True(oneWay.IsCompletedSuccessfully);
        Assert.DoesNotContain("notified ping", silo.Probe.Events);

        silo.Probe.Open("release");
        await blocked.WaitAsync(Eventually.Timeout);
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("notified ping"), Eventually.Timeout);
        Assert.Equal(["blocked", "released", "notified ping"], silo.Probe.Events.Where(e => e != "activated").ToArray());
    }

    [Fact]
    public async Task Failing_one_way_call_does_not_stop_the_grain()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ICalculatorGrain, CalculatorGrain>());
        var grain = silo.Factory.GetGrain<ICalculatorGrain>("calc");

        var oneWay = grain.NotifyAsync("");

        Assert.True(oneWay.IsCompletedSuccessfully);
        Assert.Equal(5, await grain.DivideAsync(10, 2));
        await grain.NotifyAsync("after");
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("notified after"), Eventually.Timeout);
        Assert.Equal(1, silo.Probe.Count("activate:calc"));
    }
}

public interface ICalculatorGrain : IGrainWithStringKey
{
    Task<int> DivideAsync(int dividend, int divisor);

    Task<string> EchoAsync(string text);

    Task RememberAsync(string note);

    Task<string[]> GetNotesAsync();

    Task BlockAsync(string gate);

    [OneWay]
    Task NotifyAsync(string note);
}

public sealed class CalculatorGrain(GrainProbe probe) : Grain, ICalculatorGrain
{
    private readonly List<string> _notes = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Increment("activate:" + GrainKey);
        probe.Record("activated");
        return Task.CompletedTask;
    }

    public async Task<int> DivideAsync(int dividend, int divisor)
    {
        await Task.Yield();
        return dividend / divisor;
    }

    public Task<string> EchoAsync(string text) => Task.FromResult(GrainKey + ":" + text);

    // Throws synchronously, before any task exists: the caller must still get the exception on its task.
    public Task RememberAsync(string note)
    {
        ArgumentException.ThrowIfNullOrEmpty(note);
        _notes.Add(note);
        return Task.CompletedTask;
    }

    public Task<string[]> GetNotesAsync() => Task.FromResult(_notes.ToArray());

    public async Task BlockAsync(string gate)
    {
        probe.Record("blocked");
        await probe.Gate(gate);
        probe.Record("released");
    }

    public async Task NotifyAsync(string note)
    {
        await Task.Yield();
        ArgumentException.ThrowIfNullOrEmpty(note);
        probe.Record("notified " + note);
    }
}
