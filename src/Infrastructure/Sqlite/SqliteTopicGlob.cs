using System.Text;
using Herald.Contracts;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// A topic filter as a condition on column <c>topic</c>. GLOB, not LIKE: it is case-sensitive, as topics are; a
/// filter's <c>*</c> is GLOB's, and GLOB's other wildcards are escaped.
/// </summary>
internal static class SqliteTopicGlob
{
    /// <summary>The condition, with its patterns bound from parameter number <paramref name="firstParameter"/> on.</summary>
    public static (string Condition, object?[] Values) Condition(TopicFilter filter, int firstParameter)
    {
        if (filter.Patterns.Count == 0)
            return ("topic NOT GLOB 'inbound.*'", []);
        var terms = filter.Patterns.Select((_, i) => "topic GLOB $" + (firstParameter + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ("(" + string.Join(" OR ", terms) + ")", filter.Patterns.Select(p => (object?)ToGlob(p)).ToArray());
    }

    private static string ToGlob(string pattern)
    {
        var glob = new StringBuilder(pattern.Length + 4);
        foreach (var c in pattern)
        {
            _ = c switch
            {
                '?' => glob.Append("[?]"),
                '[' => glob.Append("[[]"),
                _ => glob.Append(c),
            };
        }

        return glob.ToString();
    }
}
