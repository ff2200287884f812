namespace Herald.Silo.Cluster;

/// <summary>A write was fenced: this silo no longer holds the lease of the grain's partition at that epoch.</summary>
public sealed class LeaseLostException(string message) : Exception(message);
