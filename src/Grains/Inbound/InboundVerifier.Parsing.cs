using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Herald.Grains.Inbound;

/// <summary>What the schemes share: matching signatures in constant time, timestamps within tolerance, and reading headers, hex and base64.</summary>
public static partial class InboundVerifier
{
    private static bool AnyMatches(
        IReadOnlyList<byte[]> keys, HashAlgorithmName algorithm, byte[] signedPrefix, ReadOnlyMemory<byte> body, IReadOnlyList<byte[]> signatures)
    {
        var matched = false;
        foreach (var key in keys)
        {
            // Hashing the prefix and body in two steps avoids copying a body of up to MaxBodyBytes.
            using var hmac = IncrementalHash.CreateHMAC(algorithm, key);
            hmac.AppendData(signedPrefix);
            hmac.AppendData(body.Span);
            var expected = hmac.GetHashAndReset();
            foreach (var signature in signatures)
            {
                // Constant time, and no early exit, so response timing reveals nothing about how close a forgery came.
                matched |= CryptographicOperations.FixedTimeEquals(expected, signature);
            }
        }
        return matched;
    }

    private static byte[][] Utf8Keys(string[] secrets) => [.. secrets.Select(Encoding.UTF8.GetBytes)];

    private static VerificationResult NoMatch(string header) =>
        VerificationResult.Fail($"{header} signature does not match any configured secret; check the secret and that the body is forwarded unmodified");

    private static VerificationResult? OutsideTolerance(string header, long timestamp, TimeSpan tolerance, DateTimeOffset now)
    {
        var skew = now.ToUnixTimeSeconds() - timestamp;
        if (Math.Abs(skew) <= tolerance.TotalSeconds)
            return null;
        var direction = skew > 0 ? "old" : "in the future";
        return VerificationResult.Fail(string.Create(
            CultureInfo.InvariantCulture,
            $"{header} timestamp {timestamp} is {Math.Abs(skew)} s {direction}, outside the {tolerance.TotalSeconds:0.###} s tolerance; check the sender's clock, or this is a replay"));
    }

    private static bool TryParseUnixSeconds(ReadOnlySpan<char> text, out long seconds) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seconds) && seconds <= MaxUnixSeconds;

    private static bool TryDecodeHex(ReadOnlySpan<char> text, int length, out byte[] bytes)
    {
        bytes = new byte[length];
        return text.Length == length * 2
            && Convert.FromHexString(text, bytes, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == length;
    }

    private static bool TryDecodeBase64(ReadOnlySpan<char> text, int length, out byte[] bytes)
    {
        // One spare byte lets an over-long signature decode, so it is caught by the length check rather than read as malformed.
        var buffer = new byte[length + 3];
        var ok = Convert.TryFromBase64Chars(text, buffer, out var written) && written == length;
        bytes = ok ? buffer[..length] : [];
        return ok;
    }

    private static bool TryGetHmacAlgorithm(string? name, out HashAlgorithmName algorithm, out int hashSize)
    {
        (algorithm, hashSize) = name?.ToLowerInvariant() switch
        {
            // SHA-1 is weak for collisions but HMAC-SHA1 is still unforgeable, and some senders offer nothing else.
            SignatureSchemes.Sha1 => (HashAlgorithmName.SHA1, 20),
            SignatureSchemes.Sha256 => (HashAlgorithmName.SHA256, HMACSHA256.HashSizeInBytes),
            SignatureSchemes.Sha512 => (HashAlgorithmName.SHA512, HMACSHA512.HashSizeInBytes),
            _ => (default, 0),
        };
        return hashSize > 0;
    }

    private static (string? Id, string? Type) ReadIdAndType(ReadOnlyMemory<byte> body)
    {
        // The id and type are conveniences; a signed body that is not a JSON object is still genuine.
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return default;
            return (StringProperty(document.RootElement, "id"), StringProperty(document.RootElement, "type"));
        }
        catch (JsonException)
        {
            return default;
        }

        static string? StringProperty(JsonElement element, string name) =>
            element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? SummaryJson.Decode(property) : null;
    }

    /// <summary>The trimmed value of a header the scheme cannot do without, or the failure that names it.</summary>
    private static bool TryGetRequiredHeader(
        InboundRequest request, string name, out string value, [NotNullWhen(false)] out VerificationResult? failure)
    {
        var raw = Header(request, name);
        value = raw?.Trim() ?? "";
        failure = raw is null ? VerificationResult.Fail($"{name} header is missing")
            : value.Length == 0 ? VerificationResult.Fail($"{name} header is empty")
            : null;
        return failure is null;
    }

    private static string? OptionalHeader(InboundRequest request, string? name)
    {
        var value = string.IsNullOrWhiteSpace(name) ? null : Header(request, name)?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Callers may pass an ordinal dictionary, so a miss falls back to a case-insensitive scan.</summary>
    private static string? Header(InboundRequest request, string name)
    {
        if (request.Headers.TryGetValue(name, out var value))
            return value;
        foreach (var (key, candidate) in request.Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                return candidate;
        }
        return null;
    }
}
