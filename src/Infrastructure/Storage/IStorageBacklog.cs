using Herald.Grains.Telemetry;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Storage writes this process has accepted and not yet committed: webhook grain state is written behind, and
/// attempts are group-committed, after the delivery that made them. A backlog that keeps growing means storage
/// cannot keep up.
/// </summary>
public interface IStorageBacklog
{
    int PendingWrites { get; }
}

/// <summary>The grains' unwritten states, plus the attempt writes queued for storage (none in memory).</summary>
internal sealed class StorageBacklog(WebhookGrainCounters grains, IAttemptWriteBacklog? attempts = null) : IStorageBacklog
{
    public int PendingWrites => grains.PendingStateWrites + (attempts?.PendingWrites ?? 0);
}

/// <summary>Attempt writes queued and not yet committed.</summary>
public interface IAttemptWriteBacklog
{
    int PendingWrites { get; }
}
