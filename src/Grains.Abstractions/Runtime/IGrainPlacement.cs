namespace Herald.Runtime;

/// <summary>Where grains live. Embedded mode hosts every grain locally; cluster mode places them by partition.</summary>
public interface IGrainPlacement
{
    /// <summary>Whether this silo hosts the grain with this interface and key right now.</summary>
    bool IsLocal(Type grainInterface, string key);
}
