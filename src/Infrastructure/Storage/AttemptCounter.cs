using Herald.Contracts;
using Herald.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// The delivery attempts this process has recorded, by outcome. The attempt logs count through it, and each silo
/// reports its totals with its stats (<c>IClusterStatsGrain</c>), so rates need neither the attempt table (which
/// retention prunes) nor a round trip per attempt.
/// </summary>
public sealed class AttemptCounter
{
    private long _succeeded;
    private long _failed;

    public AttemptTotals Totals => new(Interlocked.Read(ref _succeeded), Interlocked.Read(ref _failed));

    public void Record(string outcome) =>
        Interlocked.Increment(ref outcome == AttemptOutcome.Succeeded ? ref _succeeded : ref _failed);
}
