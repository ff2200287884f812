using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Application;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Http;

/// <summary>
/// Reads a JSON request body within a size limit and turns every way it can be wrong into a 4xx that names
/// the field: the framework's own binding answers malformed JSON with an empty 400, which helps nobody.
/// </summary>
public static class JsonBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    private static readonly ConcurrentDictionary<Type, Dictionary<string, string>> ExpectedTypes = new();

    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        var (body, readProblem) = await RequestBody.ReadAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (readProblem is not null)
            return (null, readProblem);

        if (body.Length == 0)
            return (null, ApiProblems.Field("body", "is empty; send a JSON object"));

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, ApiProblems.Field("body", "must be a JSON object"));
            if (FindNul(body.Span) is { } nulField)
                return (null, ApiProblems.Field(nulField, RequestRules.NulError));
            var value = document.RootElement.Deserialize<T>(Options);
            return value is null ? (null, ApiProblems.Field("body", "must be a JSON object")) : (value, null);
        }
        catch (JsonException exception)
        {
            return (null, Describe<T>(exception));
        }
        catch (ArgumentException)
        {
            // Invalid UTF-8 surfaces as an ArgumentException from the decoder in some paths.
            return (null, ApiProblems.Field("body", "is not valid UTF-8 JSON"));
        }
    }

    /// <summary>
    /// The top-level field whose value (or name) holds a NUL anywhere within it, or null when none does. No field
    /// of Herald's takes one, and PostgreSQL text cannot store one, so such a body is refused, naming the field.
    /// Reads the raw text of a body already known to be valid JSON.
    /// </summary>
    private static string? FindNul(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json.StartsWith("\uFEFF"u8) ? json[3..] : json);
        var field = "body";
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String))
                continue;
            var nul = reader.ValueIsEscaped && HasEscapedNul(reader.ValueSpan);
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                field = nul ? "body" : NameOrBody(ref reader);
            if (nul)
                return field;
        }

        return null;
    }

    // A name holding an escaped lone surrogate ("\\ud800") is valid JSON but cannot be read as text.
    private static string NameOrBody(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return "body";
        }
    }

    // A NUL can only appear in JSON text as the escape \u0000; every escape is a backslash and one character (then
    // four hex digits for \u), so stepping over each pair never mistakes an escaped backslash for the start of one.
    private static bool HasEscapedNul(ReadOnlySpan<byte> raw)
    {
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i + 1 < raw.Length; i = NextEscape(raw, i + 2))
        {
            if (raw[i + 1] == (byte)'u' && raw[(i + 2)..].StartsWith("0000"u8))
                return true;
        }

        return false;

        static int NextEscape(ReadOnlySpan<byte> raw, int from) =>
            from >= raw.Length ? -1 : raw[from..].IndexOf((byte)'\\') is var at and >= 0 ? from + at : -1;
    }

    private static ProblemHttpResult Describe<T>(JsonException exception)
    {
        var path = exception.Path;
        if (string.IsNullOrEmpty(path) || path == "$")
            return ApiProblems.Field("body", $"is not valid JSON ({FirstSentence(exception.Message)})");

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        var root = field.Split('.', '[')[0];
        var expected = ExpectedTypes.GetOrAdd(typeof(T), Describe).GetValueOrDefault(root);
        return ApiProblems.Field(field, expected is null ? $"is malformed ({FirstSentence(exception.Message)})" : $"must be {expected}");
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    private static Dictionary<string, string> Describe(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p => Expected(p.PropertyType));

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
            return "a string";
        if (type == typeof(bool))
            return "true or false";
        if (type == typeof(long) || type == typeof(int))
            return "an integer";
        if (type == typeof(DateTimeOffset))
            return "an ISO-8601 timestamp string";
        if (type.IsAssignableTo(typeof(IDictionary<string, string>)))
            return "an object of string values";
        if (type.IsArray || type.IsAssignableTo(typeof(System.Collections.IEnumerable)))
            return "an array of strings";
        return "of type " + type.Name;
    }
}
