using System.ComponentModel.DataAnnotations;

namespace Herald.Grains.Inbound;

/// <summary>How one inbound source proves its requests are genuine, and how much of it Herald keeps.</summary>
public sealed class InboundSourceOptions : IValidatableObject
{
    /// <summary><c>github</c>, <c>stripe</c>, <c>standard</c> (Standard Webhooks), <c>hmac</c> or <c>none</c>; case-insensitive.</summary>
    public string Scheme { get; set; } = SignatureSchemes.None;

    /// <summary>More than one while a secret is being rotated; a signature made with any of them is accepted.</summary>
    public string[] Secrets { get; set; } = [];

    [Range(1, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Null means <see cref="ShouldRequireJson"/> decides by scheme.</summary>
    public bool? RequireJson { get; set; }

    /// <summary>How far a signed timestamp may be from now (stripe, standard), which bounds how long a captured request can be replayed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>hmac: the header that carries the signature, e.g. <c>X-Signature</c>.</summary>
    public string? Header { get; set; }

    /// <summary>hmac: <c>sha1</c>, <c>sha256</c> or <c>sha512</c>.</summary>
    public string Algorithm { get; set; } = SignatureSchemes.Sha256;

    /// <summary>hmac: <c>hex</c> or <c>base64</c>.</summary>
    public string Encoding { get; set; } = SignatureSchemes.Hex;

    /// <summary>hmac: text before the signature in the header, e.g. <c>sha256=</c>.</summary>
    public string? Prefix { get; set; }

    /// <summary>hmac, none: the header that carries the sender's delivery id, used as the idempotency key.</summary>
    public string? IdHeader { get; set; }

    /// <summary>hmac, none: the header that carries the event type.</summary>
    public string? TypeHeader { get; set; }

    /// <summary>How many events of this source are kept.</summary>
    [Range(1, 10_000_000)]
    public int MaxEvents { get; set; } = 10_000;

    /// <summary>How long events of this source are kept.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Verified deliveries this source may make per minute; unverified requests have a budget of their own, per client address.</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerMinute { get; set; } = 600;

    public bool ShouldRequireJson => RequireJson ?? SignatureSchemes.RequiresJsonByDefault(Scheme);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!SignatureSchemes.IsOneOf(Scheme, SignatureSchemes.All))
        {
            yield return new ValidationResult(
                $"Scheme '{Scheme}' is not supported; use one of {string.Join(", ", SignatureSchemes.All)}.", [nameof(Scheme)]);
            yield break;
        }

        if (SignatureSchemes.RequiresSecrets(Scheme))
        {
            if (Secrets is null || Secrets.Length == 0)
                yield return new ValidationResult($"Secrets must contain at least one secret for scheme '{Scheme}'.", [nameof(Secrets)]);
            else
            {
                for (var i = 0; i < Secrets.Length; i++)
                {
                    // Messages give the index, never the value: validation errors end up in logs.
                    if (string.IsNullOrWhiteSpace(Secrets[i]))
                        yield return new ValidationResult($"Secrets[{i}] is empty.", [nameof(Secrets)]);
                    else if (SignatureSchemes.Is(Scheme, SignatureSchemes.Standard) && !SignatureSchemes.TryDecodeStandardSecret(Secrets[i], out _))
                        yield return new ValidationResult(
                            $"Secrets[{i}] is not a Standard Webhooks secret; expected '{SignatureSchemes.StandardSecretPrefix}' followed by base64.",
                            [nameof(Secrets)]);
                }
            }
        }

        if (SignatureSchemes.Is(Scheme, SignatureSchemes.Hmac))
        {
            if (string.IsNullOrWhiteSpace(Header))
                yield return new ValidationResult("Header must name the signature header for scheme 'hmac', e.g. 'X-Signature'.", [nameof(Header)]);
            if (!SignatureSchemes.IsOneOf(Algorithm, SignatureSchemes.Algorithms))
                yield return new ValidationResult(
                    $"Algorithm '{Algorithm}' is not supported; use one of {string.Join(", ", SignatureSchemes.Algorithms)}.", [nameof(Algorithm)]);
            if (!SignatureSchemes.IsOneOf(Encoding, SignatureSchemes.Encodings))
                yield return new ValidationResult(
                    $"Encoding '{Encoding}' is not supported; use one of {string.Join(", ", SignatureSchemes.Encodings)}.", [nameof(Encoding)]);
        }
    }
}
