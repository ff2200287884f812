namespace Herald.Infrastructure.MessageLog;

/// <summary>
/// The newest committed log sequence this process knows, and a wait for it to pass a given one: what tailing readers
/// (SSE listeners, <c>wait_for_event</c>) await instead of polling. Each log advances it from its own appends, and a
/// cluster's also from other processes' notifications.
/// </summary>
internal sealed class LogHead(long known = LogHead.Unknown)
{
    /// <summary>Not read from storage yet.</summary>
    public const long Unknown = -1;

    private readonly Lock _gate = new();
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _seq = known;

    /// <summary>The newest sequence known to be committed, or <see cref="Unknown"/>.</summary>
    public long Known => Volatile.Read(ref _seq);

    /// <summary>Records that <paramref name="seq"/> is committed; wakes the waiters it passes. An older one changes nothing.</summary>
    public void Advance(long seq)
    {
        TaskCompletionSource advanced;
        lock (_gate)
        {
            if (seq <= _seq)
                return;
            Volatile.Write(ref _seq, seq);
            advanced = _advanced;
            _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        advanced.TrySetResult();
    }

    /// <summary>Completes once the known head is above <paramref name="afterSeq"/>.</summary>
    public async ValueTask WaitAboveAsync(long afterSeq, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task advanced;
            lock (_gate)
            {
                if (_seq > afterSeq)
                    return;
                advanced = _advanced.Task;
            }

            await advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
