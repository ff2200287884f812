namespace Herald.Silo.Cluster;

/// <summary>Tells storage which lease a grain's writes must still hold: its partition, this silo, and the epoch.</summary>
public interface IWriteFence
{
    /// <summary>
    /// False when writes of this grain type are not fenced. True with the fence otherwise; a grain whose
    /// partition this silo does not hold gets a <see cref="LeaseLostException"/> instead.
    /// </summary>
    bool TryGetFence(string grainType, string key, out int partition, out string owner, out long epoch);
}
