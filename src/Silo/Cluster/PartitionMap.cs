using System.Text;

namespace Herald.Silo.Cluster;

/// <summary>Which partition a grain key belongs to: a stable hash (FNV-1a), the same in every process and run.</summary>
public static class PartitionMap
{
    /// <summary>Matches the rows created by the schema (002_cluster.sql).</summary>
    public const int Count = 64;

    public static int Of(string key)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key))
            hash = (hash ^ b) * 16777619u;
        return (int)(hash % Count);
    }
}
