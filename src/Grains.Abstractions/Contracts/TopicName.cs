namespace Herald.Contracts;

/// <summary>The rules for topic names and topic patterns, shared by every API that accepts them.</summary>
public static class TopicName
{
    public const int MaxLength = 200;

    /// <summary>Returns an error message, or null when <paramref name="value"/> is a valid topic (or pattern).</summary>
    public static string? Validate(string value, bool allowWildcard)
    {
        if (value.Length == 0)
            return "must not be empty";
        if (value.Length > MaxLength)
            return $"must be at most {MaxLength} characters";
        foreach (var c in value)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/' || (allowWildcard && c == '*');
            if (!ok)
                return allowWildcard
                    ? $"contains '{c}'; use letters, digits, '.', '_', '-', ':', '/' and '*'"
                    : $"contains '{c}'; use letters, digits, '.', '_', '-', ':' and '/'";
        }

        return null;
    }
}
