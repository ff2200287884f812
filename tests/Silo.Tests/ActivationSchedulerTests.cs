using Herald.Silo.Runtime;

namespace Herald.Silo.Tests;

/// <summary>An activation's scheduler: one task at a time, in order, including continuations it runs inline.</summary>
public sealed class ActivationSchedulerTests
{
    [Fact]
    public async Task Tasks_queued_from_many_threads_run_one_at_a_time_and_each_thread_s_in_order()
    {
        var scheduler = new ActivationScheduler();
        var running = 0;
        var overlaps = 0;
        var seen = new List<(int Thread, int Index)>();
        const int Threads = 4;
        const int PerThread = 2_000;

        var producers = Enumerable.Range(0, Threads).Select(t => Task.Run(() => Enumerable.Range(0, PerThread).Select(i =>
            Task.Factory.StartNew(() =>
            {
                if (Interlocked.Increment(ref running) != 1)
                    Interlocked.Increment(ref overlaps);
                seen.Add((t, i)); // unsynchronized on purpose: exclusivity is what makes it safe
                Interlocked.Decrement(ref running);
            }, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler)).ToArray())).ToArray();
        var tasks = (await Task.WhenAll(producers)).SelectMany(t => t).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, overlaps);
        Assert.Equal(Threads * PerThread, seen.Count);
        foreach (var group in seen.GroupBy(s => s.Thread))
            Assert.Equal(Enumerable.Range(0, PerThread), group.Select(s => s.Index));
    }

    [Fact]
    public async Task Continuations_that_resume_on_pool_threads_stay_exclusive_and_on_the_scheduler()
    {
        var scheduler = new ActivationScheduler();
        var running = 0;
        var overlaps = 0;
        var offScheduler = 0;
        var counter = 0;
        const int Loops = 50;
        const int Steps = 100;

        async Task LoopAsync()
        {
            for (var i = 0; i < Steps; i++)
            {
                // Completes on a pool thread: the continuation comes back to this scheduler, inline when it is idle.
                await Task.Run(static () => { });
                if (TaskScheduler.Current != scheduler)
                    Interlocked.Increment(ref offScheduler);
                if (Interlocked.Increment(ref running) != 1)
                    Interlocked.Increment(ref overlaps);
                counter++; // unsynchronized on purpose
                Interlocked.Decrement(ref running);
            }
        }

        var loops = Enumerable.Range(0, Loops)
            .Select(_ => Task.Factory.StartNew(LoopAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap())
            .ToArray();
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, overlaps);
        Assert.Equal(0, offScheduler);
        Assert.Equal(Loops * Steps, counter);
    }
}
