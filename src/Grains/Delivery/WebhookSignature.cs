using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Herald.Grains.Delivery;

/// <summary>Standard Webhooks signing: <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c>, keyed by the secret's bytes.</summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const int MinSecretBytes = 24;
    public const int MaxSecretBytes = 64;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key of a <c>whsec_</c> secret, or null when it is not a valid secret.</summary>
    public static byte[]? TryDecodeSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            return null;
        var encoded = secret.AsSpan(SecretPrefix.Length);
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var written) || written < MinSecretBytes || written > MaxSecretBytes)
            return null;
        return buffer[..written];
    }

    public static string Sign(byte[] key, string messageId, long unixTimestamp, ReadOnlySpan<byte> body)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{messageId}.{unixTimestamp}.");
        var prefixLength = Encoding.UTF8.GetByteCount(prefix);
        var rented = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        try
        {
            Encoding.UTF8.GetBytes(prefix, rented);
            body.CopyTo(rented.AsSpan(prefixLength));
            Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, rented.AsSpan(0, prefixLength + body.Length), hash);
            return "v1," + Convert.ToBase64String(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
