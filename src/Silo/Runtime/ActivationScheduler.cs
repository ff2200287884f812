using System.Collections.Concurrent;

namespace Herald.Silo.Runtime;

/// <summary>
/// One activation's exclusive scheduler: its tasks run one at a time, in order, on the thread pool.
/// </summary>
/// <remarks>
/// In place of <c>ConcurrentExclusiveSchedulerPair</c>, for two reasons that show on every delivery. A grain
/// continuation that becomes ready on a pool thread (an HTTP answer, a storage write) runs right there when the
/// activation is idle, instead of being queued for another pool thread: one thread hop fewer per await. And a
/// drain is a reusable work item, not a new task per batch.
/// </remarks>
internal sealed class ActivationScheduler : TaskScheduler, IThreadPoolWorkItem
{
    // Tasks run per drain before the drain yields its thread, so one busy activation cannot hold a pool thread.
    private const int DrainBatch = 64;

    [ThreadStatic]
    private static ActivationScheduler? t_running;

    private readonly ConcurrentQueue<Task> _tasks = new();

    // 1 while a drain is queued or running, or a task runs inline: the activation's exclusive hold.
    private int _held;

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task)
    {
        _tasks.Enqueue(task);
        if (Interlocked.CompareExchange(ref _held, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        var outer = t_running;
        t_running = this;
        try
        {
            for (var i = 0; i < DrainBatch && _tasks.TryDequeue(out var task); i++)
                TryExecuteTask(task);
        }
        finally
        {
            t_running = outer;
            Release();
        }
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
    {
        // On a thread already running this activation: the hold is ours.
        if (t_running == this)
            return TryExecuteTask(task);

        // A queued task cannot be taken out of the queue, and a held activation is busy elsewhere: both wait their turn.
        if (taskWasPreviouslyQueued || Interlocked.CompareExchange(ref _held, 1, 0) != 0)
            return false;

        var outer = t_running;
        t_running = this;
        try
        {
            return TryExecuteTask(task);
        }
        finally
        {
            t_running = outer;
            Release();
        }
    }

    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    /// <summary>Gives up the hold; work that arrived meanwhile (or is left over from a full batch) gets a new drain.</summary>
    private void Release()
    {
        // A full fence: the emptiness check must not be read before the hold is seen released, or a task queued
        // in between (whose owner saw the hold still taken) would wait for a drain nobody starts.
        Interlocked.Exchange(ref _held, 0);
        if (!_tasks.IsEmpty && Interlocked.CompareExchange(ref _held, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }
}
