namespace Herald.Contracts;

/// <summary>
/// Which topics a webhook or a listener receives. Patterns may use <c>*</c> for any run of characters.
/// No pattern at all means every topic outside <c>inbound.</c>: inbound events reach only those who ask for them.
/// </summary>
public sealed class TopicFilter
{
    public const string DefaultTopic = "default";
    public const string InboundPrefix = "inbound.";

    private readonly string[] _patterns;

    private TopicFilter(string[] patterns) => _patterns = patterns;

    public static TopicFilter AllButInbound { get; } = new([]);

    public IReadOnlyList<string> Patterns => _patterns;

    public static TopicFilter From(IEnumerable<string>? patterns)
    {
        var list = patterns?.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).Distinct().ToArray() ?? [];
        return list.Length == 0 ? AllButInbound : new TopicFilter(list);
    }

    public bool Matches(string topic)
    {
        if (_patterns.Length == 0)
            return !topic.StartsWith(InboundPrefix, StringComparison.Ordinal);

        foreach (var pattern in _patterns)
        {
            if (Glob(pattern, topic))
                return true;
        }

        return false;
    }

    // Iterative glob with single-star backtracking: linear in practice and never exponential.
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }
}
