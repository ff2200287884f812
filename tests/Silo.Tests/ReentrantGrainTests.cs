using Herald.Testing;
using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Tests.Infrastructure;

namespace Herald.Silo.Tests;

public sealed class ReentrantGrainTests
{
    [Fact]
    public async Task Calls_interleave_at_awaits_but_grain_code_never_runs_on_two_threads_at_once()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<IInterleavingGrain, InterleavingGrain>());
        var grain = silo.Factory.GetGrain<IInterleavingGrain>("reentrant");
        const int Calls = 20;

        var calls = Enumerable.Range(0, Calls).Select(_ => Task.Run(() => grain.EnterAndWaitAsync("go"))).ToArray();
        // Every call is inside the grain at once, each awaiting the same gate: only interleaving allows that.
        await Eventually.TrueAsync(() => silo.Probe.Count("entered") == Calls, Eventually.Timeout);
        silo.Probe.Open("go");
        await Task.WhenAll(calls).WaitAsync(Eventually.Timeout);

        var stats = await grain.GetStatsAsync();
        Assert.Equal(Calls, stats.MaxInside);
        Assert.Equal(Calls * InterleavingGrain.Segments, stats.Segments);
        Assert.Equal(0, stats.Overlaps);
    }

    [Fact]
    public async Task A_call_completes_while_another_call_to_the_same_grain_is_suspended()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<IInterleavingGrain, InterleavingGrain>());
        var grain = silo.Factory.GetGrain<IInterleavingGrain>("reentrant");

        var suspended = grain.EnterAndWaitAsync("later");
        await Eventually.TrueAsync(() => silo.Probe.Count("entered") == 1, Eventually.Timeout);

        var stats = await grain.GetStatsAsync().WaitAsync(Eventually.Timeout);

        Assert.Equal(1, stats.Inside);
        Assert.False(suspended.IsCompleted);
        silo.Probe.Open("later");
        await suspended.WaitAsync(Eventually.Timeout);
        Assert.Equal(0, (await grain.GetStatsAsync()).Inside);
    }
}

public sealed record InterleavingStats(int Inside, int MaxInside, int Segments, int Overlaps);

public interface IInterleavingGrain : IGrainWithStringKey
{
    Task EnterAndWaitAsync(string gate);

    Task<InterleavingStats> GetStatsAsync();
}

[Reentrant]
public sealed class InterleavingGrain(GrainProbe probe) : Grain, IInterleavingGrain
{
    public const int Segments = 5;

    private int _inside;
    private int _maxInside;
    private int _segments;
    private int _running;
    private int _overlaps;

    public async Task EnterAndWaitAsync(string gate)
    {
        _inside++;
        _maxInside = Math.Max(_maxInside, _inside);
        probe.Increment("entered");
        await probe.Gate(gate);

        for (var i = 0; i < Segments; i++)
        {
            // Counted with interlocked operations so that a second thread in here is seen, not lost.
            if (Interlocked.Increment(ref _running) > 1)
                Interlocked.Increment(ref _overlaps);
            Thread.SpinWait(500);
            _segments++;
            Interlocked.Decrement(ref _running);
            await Task.Yield();
        }

        _inside--;
    }

    public Task<InterleavingStats> GetStatsAsync() =>
        Task.FromResult(new InterleavingStats(_inside, _maxInside, _segments, Volatile.Read(ref _overlaps)));
}
