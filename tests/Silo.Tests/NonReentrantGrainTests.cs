using Herald.Testing;
using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Tests.Infrastructure;

namespace Herald.Silo.Tests;

public sealed class NonReentrantGrainTests
{
    [Fact]
    public async Task Calls_to_one_grain_never_overlap_even_across_awaits()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ISerialGrain, SerialGrain>());
        var grain = silo.Factory.GetGrain<ISerialGrain>("serial");
        const int Calls = 200;

        await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => Task.Run(() => grain.WorkAsync())))
            .WaitAsync(Eventually.Timeout);

        var stats = await grain.GetStatsAsync();
        Assert.Equal(Calls, stats.Completed);
        Assert.Equal(0, stats.Overlaps);
    }

    [Fact]
    public async Task A_call_waits_until_the_running_call_of_the_same_grain_has_finished()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ISerialGrain, SerialGrain>());
        var grain = silo.Factory.GetGrain<ISerialGrain>("serial");

        var blocked = grain.BlockAsync("release");
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("serial blocked"), Eventually.Timeout);
        var queued = grain.PingAsync();
        // A round trip through another grain gives the queued call every chance to run early if it could.
        await silo.Factory.GetGrain<ISerialGrain>("other").PingAsync();

        Assert.False(queued.IsCompleted);
        silo.Probe.Open("release");
        await Task.WhenAll(blocked, queued).WaitAsync(Eventually.Timeout);

        Assert.Equal(
            ["serial blocked", "other pinged", "serial released", "serial pinged"],
            silo.Probe.Events);
    }

    [Fact]
    public async Task Calls_to_different_keys_run_in_parallel()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ISerialGrain, SerialGrain>());
        var a = silo.Factory.GetGrain<ISerialGrain>("a");
        var b = silo.Factory.GetGrain<ISerialGrain>("b");

        var blocked = a.BlockAsync("release-a");
        await Eventually.TrueAsync(() => silo.Probe.Events.Contains("a blocked"), Eventually.Timeout);

        await b.PingAsync().WaitAsync(Eventually.Timeout);

        Assert.False(blocked.IsCompleted);
        silo.Probe.Open("release-a");
        await blocked.WaitAsync(Eventually.Timeout);
        Assert.Equal(["a blocked", "b pinged", "a released"], silo.Probe.Events);
    }
}

public sealed record SerialStats(int Completed, int Overlaps);

public interface ISerialGrain : IGrainWithStringKey
{
    Task WorkAsync();

    Task<SerialStats> GetStatsAsync();

    Task BlockAsync(string gate);

    Task PingAsync();
}

public sealed class SerialGrain(GrainProbe probe) : Grain, ISerialGrain
{
    private bool _inCall;
    private int _completed;
    private int _overlaps;

    public async Task WorkAsync()
    {
        if (_inCall)
            _overlaps++;
        _inCall = true;
        await Task.Yield();
        await Task.Delay(1);
        _inCall = false;
        _completed++;
    }

    public Task<SerialStats> GetStatsAsync() => Task.FromResult(new SerialStats(_completed, _overlaps));

    public async Task BlockAsync(string gate)
    {
        probe.Record(GrainKey + " blocked");
        await probe.Gate(gate);
        probe.Record(GrainKey + " released");
    }

    public Task PingAsync()
    {
        probe.Record(GrainKey + " pinged");
        return Task.CompletedTask;
    }
}
