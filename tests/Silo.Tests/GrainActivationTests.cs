using Herald.Testing;
using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Tests.Infrastructure;

namespace Herald.Silo.Tests;

public sealed class GrainActivationTests
{
    [Fact]
    public async Task One_activation_per_key_under_concurrent_calls()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<ICountingGrain, CountingGrain>());
        string[] keys = ["a", "b", "c", "d", "e", "f", "g", "h"];
        const int Callers = 32;
        const int CallsPerCaller = 25;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            await start.Task;
            var calls = Enumerable.Range(0, CallsPerCaller)
                .Select(i => silo.Factory.GetGrain<ICountingGrain>(keys[(caller + i) % keys.Length]).GetActivationAsync());
            return await Task.WhenAll(calls);
        })).ToArray();
        start.SetResult();
        var results = (await Task.WhenAll(callers).WaitAsync(Eventually.Timeout)).SelectMany(r => r).ToArray();

        Assert.Equal(Callers * CallsPerCaller, results.Length);
        Assert.All(results, activation => Assert.Equal(1, activation));
        Assert.All(keys, key => Assert.Equal(1, silo.Probe.Count("activate:" + key)));
        Assert.Equal(keys.Length, silo.Catalog.Count);
    }

    [Fact]
    public async Task Failed_activation_fails_the_call_with_its_exception_and_a_later_call_activates_again()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<IFlakyGrain, FlakyGrain>());
        var grain = silo.Factory.GetGrain<IFlakyGrain>("flaky");
        silo.Probe.Open("activate:flaky");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.GetAttemptAsync());
        Assert.Equal("activation 1 failed", failure.Message);

        Assert.Equal(2, await grain.GetAttemptAsync());
        Assert.Equal(2, silo.Probe.Count("activate:flaky"));
        Assert.Equal(1, silo.Catalog.Count);
    }

    [Fact]
    public async Task Calls_queued_behind_a_failing_activation_all_fail_with_its_exception()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddGrain<IFlakyGrain, FlakyGrain>());
        var grain = silo.Factory.GetGrain<IFlakyGrain>("queued");

        var queued = Enumerable.Range(0, 3).Select(_ => grain.GetAttemptAsync()).ToArray();
        await Eventually.TrueAsync(() => silo.Probe.Count("activate:queued") == 1, Eventually.Timeout);
        silo.Probe.Open("activate:queued");

        foreach (var call in queued)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(Eventually.Timeout));
            Assert.Equal("activation 1 failed", failure.Message);
        }

        Assert.Equal(2, await grain.GetAttemptAsync());
    }
}

public interface ICountingGrain : IGrainWithStringKey
{
    Task<int> GetActivationAsync();
}

public sealed class CountingGrain(GrainProbe probe) : Grain, ICountingGrain
{
    private int _activation;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Yields so that a racing second activation, if the runtime allowed one, would overlap this one.
        await Task.Yield();
        _activation = probe.Increment("activate:" + GrainKey);
    }

    public Task<int> GetActivationAsync() => Task.FromResult(_activation);
}

public interface IFlakyGrain : IGrainWithStringKey
{
    Task<int> GetAttemptAsync();
}

/// <summary>Its first activation waits for the gate <c>activate:{key}</c>, then throws; later ones succeed.</summary>
public sealed class FlakyGrain(GrainProbe probe) : Grain, IFlakyGrain
{
    private int _attempt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _attempt = probe.Increment("activate:" + GrainKey);
        if (_attempt == 1)
        {
            await probe.Gate("activate:" + GrainKey);
            throw new InvalidOperationException($"activation {_attempt} failed");
        }
    }

    public Task<int> GetAttemptAsync() => Task.FromResult(_attempt);
}
