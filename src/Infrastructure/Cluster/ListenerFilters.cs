using System.Collections.Concurrent;
using Herald.Contracts;

namespace Herald.Infrastructure.Cluster;

/// <summary>
/// Listeners counted by topic filter, so that a push can say how many listeners its topic reaches. Silos report
/// these counts; a filter travels as its patterns joined by line feeds, which no topic pattern contains.
/// </summary>
public static class ListenerFilters
{
    /// <summary>The most distinct filters a silo reports; past it, it reports none and its listeners all count.</summary>
    public const int MaxReported = 1000;

    public static string Key(TopicFilter filter) => string.Join('\n', filter.Patterns);

    // Other silos' filters, parsed once: a push counts its listeners on every silo.
    private const int MaxParsed = 10_000;
    private static readonly ConcurrentDictionary<string, TopicFilter> Parsed = new(StringComparer.Ordinal);

    public static TopicFilter Parse(string key)
    {
        if (Parsed.TryGetValue(key, out var filter))
            return filter;
        if (Parsed.Count >= MaxParsed)
            Parsed.Clear();
        return Parsed[key] = TopicFilter.From(key.Length == 0 ? [] : key.Split('\n'));
    }

    /// <summary>The listeners among <paramref name="counts"/> whose filter lets <paramref name="topic"/> through.</summary>
    public static int Matching(IReadOnlyDictionary<string, int> counts, string topic)
    {
        var matching = 0;
        foreach (var (key, listeners) in counts)
        {
            if (Parse(key).Matches(topic))
                matching += listeners;
        }

        return matching;
    }
}
