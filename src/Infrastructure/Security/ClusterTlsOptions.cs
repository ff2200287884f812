using System.ComponentModel.DataAnnotations;

namespace Herald.Infrastructure.Security;

/// <summary>
/// Mutual TLS on Orleans's silo and gateway ports, bound from <c>Herald:Cluster:Tls</c>. Every silo, gateway and
/// Orleans client (the MCP bridge in a cluster) presents this certificate and requires its peer's. An embedded hub
/// ignores these keys: it makes a certificate of its own at start, trusted by nothing else.
/// </summary>
public sealed class ClusterTlsOptions : IValidatableObject
{
    public const string Section = "Herald:Cluster:Tls";

    /// <summary>This process's certificate: a PEM file (its key in <see cref="KeyPath"/>, or in the same file) or a PFX file.</summary>
    [StringLength(4096)]
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM certificate, when it is not in the certificate's own file.</summary>
    [StringLength(4096)]
    public string? KeyPath { get; set; }

    /// <summary>The password of a PFX file, or of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// PEM certificates to trust: a peer is accepted when its certificate chains to one of them. Several may be listed
    /// in the one file, so two CAs are trusted while certificates are replaced. Unset, a peer must present this
    /// process's own certificate (pinned by its SHA-256 thumbprint).
    /// </summary>
    [StringLength(4096)]
    public string? CaPath { get; set; }

    /// <summary>Run the Orleans ports without TLS although they listen beyond loopback. An explicit choice, logged at start.</summary>
    public bool Disabled { get; set; }

    /// <summary>How long a peer may take over its TLS handshake before the connection is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Configured => !string.IsNullOrWhiteSpace(CertificatePath);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Configured && (!string.IsNullOrWhiteSpace(KeyPath) || !string.IsNullOrWhiteSpace(CaPath) || Password is not null))
            yield return new ValidationResult("KeyPath, Password and CaPath need CertificatePath: the certificate this process presents.", [nameof(CertificatePath)]);
        if (Configured && Disabled)
            yield return new ValidationResult("Disabled=true and a CertificatePath are both set: remove one of the two.", [nameof(Disabled)]);
    }
}
