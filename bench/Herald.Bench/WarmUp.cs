using System.Diagnostics;
using System.Runtime;

namespace Herald.Bench;

/// <summary>How a scenario's warm-up ended: its length, and whether the JIT had settled or the time cap ran out.</summary>
public sealed record WarmUpReport(double Seconds, int Steps, bool Settled, long CompiledMethods);

/// <summary>
/// Runs a scenario's step unmeasured until the JIT has settled. Tiered compilation keeps re-compiling hot code for
/// tens of seconds after a process starts under load, on the same cores the measurement uses. A fixed handful of
/// warm-up steps measured that transition, not the steady state a long-running hub is in: fan-out to 1,000
/// endpoints took 51 ms after 5 warm-up bursts and 25 ms after 300.
/// </summary>
public sealed class WarmUp(BenchOptions options)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>The harness's own JIT work: the bare limit, the receivers and the listeners run in this process.</summary>
    public static Task<long> HarnessMethodsAsync() => Task.FromResult(JitInfo.GetCompiledMethodCount());

    /// <summary>
    /// At least <see cref="BenchOptions.Warmups"/> steps; then steps until a whole second passes in which the
    /// processes together compile no more than <see cref="BenchOptions.SettledJitMethods"/> methods, or until
    /// <see cref="BenchOptions.WarmupMaxSeconds"/> is reached.
    /// </summary>
    public async Task<WarmUpReport> RunAsync(Func<Task> step, Func<Task<long>> compiledMethods)
    {
        var started = Stopwatch.GetTimestamp();
        var steps = 0;
        for (; steps < options.Warmups; steps++)
            await step();

        var windowStarted = Stopwatch.GetTimestamp();
        var windowMethods = await compiledMethods();
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed.TotalSeconds >= options.WarmupMaxSeconds)
                return new WarmUpReport(Math.Round(elapsed.TotalSeconds, 1), steps, false, windowMethods);

            await step();
            steps++;
            if (Stopwatch.GetElapsedTime(windowStarted) < Window)
                continue;
            var methods = await compiledMethods();
            if (methods - windowMethods <= options.SettledJitMethods)
                return new WarmUpReport(Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1), steps, true, methods);
            windowStarted = Stopwatch.GetTimestamp();
            windowMethods = methods;
        }
    }
}
