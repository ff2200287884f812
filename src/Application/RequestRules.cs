using System.Text.Json;
using Herald.Contracts;
using Herald.Grains.Delivery;

namespace Herald.Application;

/// <summary>Field rules shared by the endpoints that accept URLs, topics, secrets and headers.</summary>
public static class RequestRules
{
    // Herald sets these itself; letting an endpoint override them would break signing or framing.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length", "host",
        "transfer-encoding", "connection", "user-agent", "expect", "upgrade", "te", "trailer", "keep-alive",
    };

    /// <summary>Returns an error for a webhook URL, or null when it is an absolute http(s) URL within the limit.</summary>
    public static string? Url(string? value, LimitsOptions limits)
    {
        if (string.IsNullOrWhiteSpace(value))
            return "is required";
        if (value.Length > limits.MaxUrlLength)
            return $"must be at most {limits.MaxUrlLength} characters";
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
            return "must be an absolute URL such as https://example.com/hook";
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            return $"must use http or https, not '{uri.Scheme}'";
        if (string.IsNullOrEmpty(uri.Host))
            return "must name a host";
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return "must not embed credentials; send them as custom headers instead";
        return null;
    }

    public static string? Topic(string? value) =>
        value is null ? null : TopicName.Validate(value, allowWildcard: false);

    /// <summary>
    /// A topic a push may publish on. The <c>inbound.</c> topics carry only verified inbound webhooks, so that a
    /// listener can trust what it gets there; no key, whatever its scopes, may publish on them.
    /// </summary>
    public static string? PushTopic(string? value) =>
        Topic(value) ?? (value?.StartsWith(TopicFilter.InboundPrefix, StringComparison.Ordinal) == true
            ? $"'{TopicFilter.InboundPrefix}' topics are reserved for verified inbound webhooks (POST /webhook/{{source}}); push on another topic"
            : null);

    public static string? TopicPatterns(IReadOnlyList<string?>? patterns, LimitsOptions limits)
    {
        if (patterns is null)
            return null;
        if (patterns.Count > limits.MaxTopicsPerSubscription)
            return $"must list at most {limits.MaxTopicsPerSubscription} topics";
        for (var i = 0; i < patterns.Count; i++)
        {
            if (patterns[i] is not { } pattern)
                return $"[{i}] must be a string";
            if (TopicName.Validate(pattern, allowWildcard: true) is { } error)
                return $"[{i}] {error}";
        }

        return null;
    }

    public static string? Secret(string? value) =>
        value is null || WebhookSignature.TryDecodeSecret(value) is not null
            ? null
            : $"must be '{WebhookSignature.SecretPrefix}' followed by base64 of {WebhookSignature.MinSecretBytes} to {WebhookSignature.MaxSecretBytes} random bytes";

    public static string? Headers(IReadOnlyDictionary<string, string?>? headers, LimitsOptions limits)
    {
        if (headers is null)
            return null;
        if (headers.Count > limits.MaxCustomHeaders)
            return $"must have at most {limits.MaxCustomHeaders} entries";
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (!seen.Add(name))
                return $"'{Truncate(name)}' is given twice (header names are case-insensitive)";
            if (name.Length == 0 || name.Length > 256 || !name.All(IsTokenChar))
                return $"'{Truncate(name)}' is not a valid header name";
            if (ReservedHeaders.Contains(name))
                return $"'{name}' is set by Herald and cannot be overridden";
            if (value is null)
                return $"'{name}' must have a string value";
            if (value.Length > limits.MaxHeaderValueLength)
                return $"'{name}' must be at most {limits.MaxHeaderValueLength} characters";
            // HTTP sends header values as visible ASCII (and tab, space); anything else would fail every attempt.
            if (value.Any(c => c is not ('\t' or (>= ' ' and <= '~'))))
                return $"'{name}' must be printable ASCII without line breaks";
        }

        return null;
    }

    /// <summary>Why a text field may not hold a NUL: PostgreSQL text cannot store one, and no legitimate value needs one.</summary>
    public const string NulError = "must not contain NUL (U+0000) characters";

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

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
