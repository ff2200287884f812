using Herald.Runtime;

namespace Herald.Silo.Placement;

/// <summary>Embedded mode: one silo, so every grain is local.</summary>
internal sealed class LocalPlacement : IGrainPlacement
{
    public bool IsLocal(Type grainInterface, string key) => true;
}
