namespace Herald.Runtime;

/// <summary>What the runtime tells a grain about its own activation.</summary>
public interface IGrainContext
{
    string Key { get; }

    IGrainFactory GrainFactory { get; }

    /// <summary>Cancelled when the activation starts to deactivate; background loops of the grain end on it.</summary>
    CancellationToken Deactivating { get; }

    /// <summary>Asks the runtime to deactivate this grain once the current turn is over.</summary>
    void DeactivateOnIdle();
}
