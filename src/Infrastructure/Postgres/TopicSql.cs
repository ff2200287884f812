using System.Text;
using Herald.Contracts;

namespace Herald.Infrastructure.Postgres;

/// <summary>Turns a topic filter into SQL LIKE patterns with the same meaning.</summary>
internal static class TopicSql
{
    /// <summary>The LIKE patterns of the filter, or null for the default filter (everything outside inbound.).</summary>
    public static string[]? LikePatterns(TopicFilter filter) =>
        filter.Patterns.Count == 0 ? null : filter.Patterns.Select(ToLike).ToArray();

    /// <summary>A WHERE fragment over column <c>topic</c> using parameter <paramref name="parameter"/> for the patterns.</summary>
    public static string Condition(TopicFilter filter, string parameter) =>
        filter.Patterns.Count == 0 ? "topic NOT LIKE 'inbound.%'" : $"topic LIKE ANY({parameter})";

    private static string ToLike(string pattern)
    {
        var like = new StringBuilder(pattern.Length + 4);
        foreach (var c in pattern)
        {
            _ = c switch
            {
                '*' => like.Append('%'),
                '%' or '_' or '\\' => like.Append('\\').Append(c),
                _ => like.Append(c),
            };
        }

        return like.ToString();
    }
}
