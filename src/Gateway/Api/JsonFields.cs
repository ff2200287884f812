using System.Text.Json;

namespace Herald.Gateway.Api;

/// <summary>Tolerant reads of stored payloads and summaries: a missing field or a wrong kind along the path is null.</summary>
internal static class JsonFields
{
    public static JsonElement? Get(JsonElement element, params ReadOnlySpan<string> path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var next))
                element = next;
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(name, out var index) && index >= 0 && index < element.GetArrayLength())
                element = element[index];
            else
                return null;
        }
        return element;
    }

    public static string? Text(JsonElement element, params ReadOnlySpan<string> path) =>
        Get(element, path) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>
    /// Whether a string or name anywhere in the value holds an unpaired UTF-16 surrogate escape (such as \ud800):
    /// valid JSON syntax that cannot be turned into text, so stored it would break every later read.
    /// </summary>
    public static bool HasUnpairedSurrogate(JsonElement element)
    {
        try
        {
            Walk(element);
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }

        static void Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                        Walk(item);
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Walk(property.Value);
                    }

                    break;
            }
        }
    }
}
