using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Grains.Inbound;

/// <summary>
/// Tolerant reads of stored payloads and summaries. Payloads come from third parties, so every read treats a wrong
/// kind anywhere along the path as a missing field instead of throwing. A path step into an array is an index.
/// </summary>
public static class SummaryJson
{
    public static JsonElement? Get(JsonElement? element, params ReadOnlySpan<string> path)
    {
        if (element is not { } current)
            return null;
        foreach (var name in path)
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out var next))
                current = next;
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
                current = current[index];
            else
                return null;
        }
        return current;
    }

    public static string? String(JsonElement? element, params ReadOnlySpan<string> path) =>
        Get(element, path) is { ValueKind: JsonValueKind.String } value ? Decode(value) : null;

    public static long? Int64(JsonElement? element, params ReadOnlySpan<string> path) =>
        Get(element, path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    public static bool? Bool(JsonElement? element, params ReadOnlySpan<string> path) =>
        Get(element, path)?.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };

    /// <summary>
    /// A copy of a string, number or boolean that does not borrow the payload's document, so the summary outlives
    /// it. Objects and arrays are left out: a summary holds single values only.
    /// </summary>
    public static JsonNode? Scalar(JsonElement? element, params ReadOnlySpan<string> path)
    {
        if (Get(element, path) is not { } value)
            return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return Decode(value);
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                return CopyNumber(value);
            default:
                return null;
        }
    }

    public static JsonNode? Number(JsonElement? element, params ReadOnlySpan<string> path) =>
        Get(element, path) is { ValueKind: JsonValueKind.Number } value ? CopyNumber(value) : null;

    /// <summary>The value of <paramref name="key"/> as display text, or null when it is absent, null or not a scalar.</summary>
    public static string? Text(JsonObject summary, string key)
    {
        if (!summary.TryGetPropertyValue(key, out var node) || node is not JsonValue value)
            return null;
        return value.GetValueKind() switch
        {
            JsonValueKind.String => Clean(value.GetValue<string>()),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
            _ => null,
        };
    }

    public static bool IsTrue(JsonObject summary, string key) =>
        summary.TryGetPropertyValue(key, out var node) && node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    /// <summary>
    /// SSE frames and log lines end at a line break, so a title or message carrying one would split the event or
    /// forge a log line.
    /// </summary>
    public static string Clean(string text)
    {
        if (!text.Any(IsBreaking))
            return text;
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            builder.Append(IsBreaking(c) ? ' ' : c);
        return builder.ToString();
    }

    private static bool IsBreaking(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static JsonNode? CopyNumber(JsonElement value)
    {
        if (value.TryGetInt64(out var integer))
            return integer;
        if (value.TryGetDecimal(out var fraction))
            return fraction;
        // Out of range for decimal (1e400): a cloned element keeps the literal, where a double would turn into
        // infinity and fail to serialize.
        return JsonValue.Create(value.Clone());
    }

    /// <summary>
    /// A JSON string as text that storage can keep: an escaped NUL ("\u0000", which PostgreSQL text and jsonb
    /// refuse) becomes U+FFFD, the replacement character. Null for an escaped lone surrogate ("\uD800"), which
    /// is valid JSON but not valid text.
    /// </summary>
    public static string? Decode(JsonElement value)
    {
        string? text;
        try
        {
            text = value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        return text?.Contains('\0', StringComparison.Ordinal) == true ? text.Replace('\0', '\uFFFD') : text;
    }
}
