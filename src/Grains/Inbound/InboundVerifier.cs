using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Herald.Grains.Inbound;

/// <summary>Checks that an inbound request was signed by its source, and pulls out the delivery id and event type.</summary>
public static partial class InboundVerifier
{
    private const string GitHubSignatureHeader = "X-Hub-Signature-256";
    private const string GitHubSignaturePrefix = "sha256=";
    private const string GitHubEventHeader = "X-GitHub-Event";
    private const string GitHubDeliveryHeader = "X-GitHub-Delivery";
    private const string StripeSignatureHeader = "Stripe-Signature";
    private const string VercelSignatureHeader = "x-vercel-signature";
    private const string StandardIdHeader = "webhook-id";
    private const string StandardTimestampHeader = "webhook-timestamp";
    private const string StandardSignatureHeader = "webhook-signature";

    // Timestamps past this cannot be turned into a DateTimeOffset, and bounding them keeps the skew arithmetic from overflowing.
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>Never throws for anything the sender controls; a bad request is a failed result.</summary>
    public static VerificationResult Verify(InboundSourceOptions source, InboundRequest request)
    {
        try
        {
            var scheme = source.Scheme?.ToLowerInvariant();
            if (scheme == SignatureSchemes.None)
                return VerificationResult.Success(OptionalHeader(request, source.IdHeader), OptionalHeader(request, source.TypeHeader));
            if (!SignatureSchemes.RequiresSecrets(scheme))
                return VerificationResult.Fail($"scheme '{source.Scheme}' is not supported; fix this source's configuration");

            var secrets = (source.Secrets ?? []).Where(secret => !string.IsNullOrEmpty(secret)).ToArray();
            if (secrets.Length == 0)
                return VerificationResult.Fail("no secrets are configured for this source; add one under Secrets");

            return scheme switch
            {
                SignatureSchemes.GitHub => VerifyGitHub(secrets, request),
                SignatureSchemes.Stripe => VerifyStripe(secrets, source.Tolerance, request),
                SignatureSchemes.Vercel => VerifyVercel(secrets, request),
                SignatureSchemes.Standard => VerifyStandard(secrets, source.Tolerance, request),
                _ => VerifyHmac(secrets, source, request),
            };
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or OverflowException or CryptographicException or JsonException)
        {
            // The parsers below use Try* methods; this is the backstop that keeps a surprise from becoming a 500.
            return VerificationResult.Fail($"request could not be verified: {exception.Message}");
        }
    }

    private static VerificationResult VerifyGitHub(string[] secrets, InboundRequest request)
    {
        if (!TryGetRequiredHeader(request, GitHubSignatureHeader, out var value, out var missing))
            return missing;
        if (!value.StartsWith(GitHubSignaturePrefix, StringComparison.OrdinalIgnoreCase))
            return VerificationResult.Fail($"{GitHubSignatureHeader} header must start with '{GitHubSignaturePrefix}'");
        if (!TryDecodeHex(value.AsSpan(GitHubSignaturePrefix.Length), HMACSHA256.HashSizeInBytes, out var signature))
            return VerificationResult.Fail(
                $"{GitHubSignatureHeader} header must be '{GitHubSignaturePrefix}' followed by {HMACSHA256.HashSizeInBytes * 2} hex characters");

        if (!AnyMatches(Utf8Keys(secrets), HashAlgorithmName.SHA256, [], request.Body, [signature]))
            return NoMatch(GitHubSignatureHeader);
        return VerificationResult.Success(OptionalHeader(request, GitHubDeliveryHeader), OptionalHeader(request, GitHubEventHeader));
    }

    private static VerificationResult VerifyStripe(string[] secrets, TimeSpan tolerance, InboundRequest request)
    {
        if (!TryGetRequiredHeader(request, StripeSignatureHeader, out var header, out var missing))
            return missing;

        long? timestamp = null;
        var signatures = new List<byte[]>();
        var elements = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < elements.Length; i++)
        {
            var separator = elements[i].IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
                return VerificationResult.Fail($"{StripeSignatureHeader} header element {i + 1} is not a key=value pair");
            var key = elements[i][..separator];
            var value = elements[i].AsSpan(separator + 1);
            if (key == "t" && timestamp is null)
            {
                if (!TryParseUnixSeconds(value, out var seconds))
                    return VerificationResult.Fail($"{StripeSignatureHeader} header t= must be a Unix time in seconds");
                timestamp = seconds;
            }
            else if (key == "v1")
            {
                if (!TryDecodeHex(value, HMACSHA256.HashSizeInBytes, out var signature))
                    return VerificationResult.Fail(
                        $"{StripeSignatureHeader} header v1= must be {HMACSHA256.HashSizeInBytes * 2} hex characters");
                signatures.Add(signature);
            }
            // Other keys (v0 test-mode signatures, schemes Stripe may add) are ignored, as Stripe's own libraries do.
        }

        if (timestamp is null)
            return VerificationResult.Fail($"{StripeSignatureHeader} header has no t= timestamp");
        if (signatures.Count == 0)
            return VerificationResult.Fail($"{StripeSignatureHeader} header has no v1= signature");
        if (OutsideTolerance(StripeSignatureHeader, timestamp.Value, tolerance, request.Now) is { } stale)
            return stale;

        var signedPrefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp.Value}."));
        // Stripe keys the HMAC with the secret's text, whsec_ prefix included, unlike Standard Webhooks.
        if (!AnyMatches(Utf8Keys(secrets), HashAlgorithmName.SHA256, signedPrefix, request.Body, signatures))
            return NoMatch(StripeSignatureHeader);

        var (id, type) = ReadIdAndType(request.Body);
        return VerificationResult.Success(id, type);
    }

    // Vercel: x-vercel-signature: <hex HMAC-SHA1(secret, body)>. The body names the event (type) and carries its id,
    // which Vercel keeps across redeliveries, so it is the delivery id that de-duplicates.
    private static VerificationResult VerifyVercel(string[] secrets, InboundRequest request)
    {
        if (!TryGetRequiredHeader(request, VercelSignatureHeader, out var value, out var missing))
            return missing;
        if (!TryDecodeHex(value, HMACSHA1.HashSizeInBytes, out var signature))
            return VerificationResult.Fail($"{VercelSignatureHeader} header must be {HMACSHA1.HashSizeInBytes * 2} hex characters (an HMAC-SHA1 of the body)");
        if (!AnyMatches(Utf8Keys(secrets), HashAlgorithmName.SHA1, [], request.Body, [signature]))
            return NoMatch(VercelSignatureHeader);

        var (id, type) = ReadIdAndType(request.Body);
        return VerificationResult.Success(id, type);
    }

    private static VerificationResult VerifyStandard(string[] secrets, TimeSpan tolerance, InboundRequest request)
    {
        if (!TryGetRequiredHeader(request, StandardIdHeader, out var id, out var missing)
            || !TryGetRequiredHeader(request, StandardTimestampHeader, out var timestampText, out missing)
            || !TryGetRequiredHeader(request, StandardSignatureHeader, out var signatureList, out missing))
        {
            return missing;
        }

        if (!TryParseUnixSeconds(timestampText, out var timestamp))
            return VerificationResult.Fail($"{StandardTimestampHeader} header must be a Unix time in seconds");

        var signatures = new List<byte[]>();
        foreach (var entry in signatureList.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = entry.IndexOf(',', StringComparison.Ordinal);
            if (separator <= 0)
                return VerificationResult.Fail($"{StandardSignatureHeader} header entries must look like 'v1,<base64>'");
            // Only symmetric v1 is implemented; v1a (ed25519) and later versions are skipped as the spec allows.
            if (entry.AsSpan(0, separator) is not "v1")
                continue;
            if (!TryDecodeBase64(entry.AsSpan(separator + 1), HMACSHA256.HashSizeInBytes, out var signature))
                return VerificationResult.Fail(
                    $"{StandardSignatureHeader} header v1 signature must be the base64 of {HMACSHA256.HashSizeInBytes} bytes");
            signatures.Add(signature);
        }

        if (signatures.Count == 0)
            return VerificationResult.Fail($"{StandardSignatureHeader} header has no v1 signature");
        if (OutsideTolerance(StandardTimestampHeader, timestamp, tolerance, request.Now) is { } stale)
            return stale;

        var keys = new List<byte[]>();
        foreach (var secret in secrets)
        {
            if (SignatureSchemes.TryDecodeStandardSecret(secret, out var key))
                keys.Add(key);
        }
        if (keys.Count == 0)
            return VerificationResult.Fail("no configured secret is a valid Standard Webhooks secret; expected 'whsec_' followed by base64");

        var signedPrefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        if (!AnyMatches(keys, HashAlgorithmName.SHA256, signedPrefix, request.Body, signatures))
            return NoMatch(StandardSignatureHeader);

        return VerificationResult.Success(id, ReadIdAndType(request.Body).Type);
    }

    private static VerificationResult VerifyHmac(string[] secrets, InboundSourceOptions source, InboundRequest request)
    {
        if (string.IsNullOrWhiteSpace(source.Header))
            return VerificationResult.Fail("no signature Header is configured for this hmac source");
        if (!TryGetHmacAlgorithm(source.Algorithm, out var algorithm, out var hashSize))
            return VerificationResult.Fail($"hmac Algorithm '{source.Algorithm}' is not supported; use sha1, sha256 or sha512");
        if (!TryGetRequiredHeader(request, source.Header, out var value, out var missing))
            return missing;

        if (!string.IsNullOrEmpty(source.Prefix))
        {
            if (!value.StartsWith(source.Prefix, StringComparison.OrdinalIgnoreCase))
                return VerificationResult.Fail($"{source.Header} header must start with '{source.Prefix}'");
            value = value[source.Prefix.Length..].Trim();
        }

        byte[] signature;
        if (SignatureSchemes.Is(source.Encoding, SignatureSchemes.Hex))
        {
            if (!TryDecodeHex(value, hashSize, out signature))
                return VerificationResult.Fail(
                    $"{source.Header} header must carry {hashSize * 2} hex characters (an HMAC-{source.Algorithm.ToUpperInvariant()})");
        }
        else if (SignatureSchemes.Is(source.Encoding, SignatureSchemes.Base64))
        {
            if (!TryDecodeBase64(value, hashSize, out signature))
                return VerificationResult.Fail(
                    $"{source.Header} header must carry the base64 of {hashSize} bytes (an HMAC-{source.Algorithm.ToUpperInvariant()})");
        }
        else
        {
            return VerificationResult.Fail($"hmac Encoding '{source.Encoding}' is not supported; use hex or base64");
        }

        if (!AnyMatches(Utf8Keys(secrets), algorithm, [], request.Body, [signature]))
            return NoMatch(source.Header);
        return VerificationResult.Success(OptionalHeader(request, source.IdHeader), OptionalHeader(request, source.TypeHeader));
    }
}
