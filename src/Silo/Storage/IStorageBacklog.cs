namespace Herald.Silo.Storage;

/// <summary>
/// Storage writes this process has accepted and not yet committed: grain state and attempts go to storage after
/// the delivery that made them, so a backlog that keeps growing means storage cannot keep up.
/// </summary>
public interface IStorageBacklog
{
    int PendingWrites { get; }
}

/// <summary>In-memory storage has finished every write by the time the call returns.</summary>
internal sealed class NoStorageBacklog : IStorageBacklog
{
    public int PendingWrites => 0;
}
