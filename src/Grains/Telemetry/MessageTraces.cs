using System.Diagnostics;

namespace Herald.Grains.Telemetry;

/// <summary>
/// The trace each recent message was pushed in, so that a webhook grain's attempt joins the push's trace. The grain's
/// loop is not a grain call and may be woken by an in-process signal, so the context cannot travel with the call; it
/// is kept here by sequence instead. Bounded: an attempt at a message older than the last few thousand (a backlog
/// after a restart) starts a trace of its own. Only written while traces are recorded.
/// </summary>
public sealed class MessageTraces
{
    private const int Capacity = 4096;
    private readonly (long Seq, ActivityContext Context)[] _slots = new (long, ActivityContext)[Capacity];
    private readonly Lock _gate = new();

    /// <summary>Notes the current trace as <paramref name="seq"/>'s, when there is one.</summary>
    public void RememberCurrent(long seq)
    {
        if (Activity.Current is not { } current || seq <= 0)
            return;
        lock (_gate)
            _slots[seq % Capacity] = (seq, current.Context);
    }

    public ActivityContext? Find(long seq)
    {
        lock (_gate)
            return _slots[seq % Capacity] is var slot && slot.Seq == seq ? slot.Context : null;
    }
}
