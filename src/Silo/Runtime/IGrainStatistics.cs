namespace Herald.Silo.Runtime;

/// <summary>What the runtime can say about itself to diagnostics, without exposing the catalog.</summary>
public interface IGrainStatistics
{
    int ActiveGrains { get; }
}
