using System.Diagnostics.CodeAnalysis;

namespace Herald.Grains.Inbound;

/// <summary>The names the options accept, shared by validation and verification so the two cannot drift apart.</summary>
public static class SignatureSchemes
{
    public const string GitHub = "github";
    public const string Stripe = "stripe";
    public const string Vercel = "vercel";
    public const string Standard = "standard";
    public const string Hmac = "hmac";
    public const string None = "none";

    public const string Sha1 = "sha1";
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    public const string Hex = "hex";
    public const string Base64 = "base64";

    public const string StandardSecretPrefix = "whsec_";

    public static readonly IReadOnlyList<string> All = [GitHub, Stripe, Vercel, Standard, Hmac, None];
    public static readonly IReadOnlyList<string> Algorithms = [Sha1, Sha256, Sha512];
    public static readonly IReadOnlyList<string> Encodings = [Hex, Base64];

    public static bool Is(string? value, string name) => string.Equals(value, name, StringComparison.OrdinalIgnoreCase);

    public static bool IsOneOf(string? value, IReadOnlyList<string> names) => names.Any(name => Is(value, name));

    public static bool RequiresSecrets(string? scheme) => IsOneOf(scheme, [GitHub, Stripe, Vercel, Standard, Hmac]);

    /// <summary>The providers with a fixed format always send JSON; a generic HMAC or unsigned source may not.</summary>
    public static bool RequiresJsonByDefault(string? scheme) => IsOneOf(scheme, [GitHub, Stripe, Vercel, Standard]);

    /// <summary>
    /// The HMAC key of a Standard Webhooks secret. Senders hand out <c>whsec_</c> + base64, but the reference
    /// libraries also take the bare base64, so both are accepted.
    /// </summary>
    public static bool TryDecodeStandardSecret(string? secret, [NotNullWhen(true)] out byte[]? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(secret))
            return false;
        var encoded = secret.StartsWith(StandardSecretPrefix, StringComparison.Ordinal)
            ? secret.AsSpan(StandardSecretPrefix.Length)
            : secret.AsSpan();
        var buffer = new byte[((encoded.Length + 3) / 4 * 3) + 3];
        if (encoded.IsEmpty || !Convert.TryFromBase64Chars(encoded, buffer, out var written) || written == 0)
            return false;
        key = buffer[..written];
        return true;
    }
}
