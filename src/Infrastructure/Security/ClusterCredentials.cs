using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Herald.Infrastructure.Security;

/// <summary>
/// The certificate this process presents on Orleans's ports and the rule its peers' certificates must meet: issued by
/// one of the trusted CAs, or, with none named, the very same certificate (pinned by its SHA-256 thumbprint).
/// </summary>
public sealed class ClusterCredentials
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection? _authorities;
    private readonly string _pin;

    private ClusterCredentials(X509Certificate2 certificate, X509Certificate2Collection? authorities)
    {
        Certificate = certificate;
        _authorities = authorities;
        _pin = certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>How peers are judged, for the start-up log line.</summary>
    public string TrustRule => _authorities is null
        ? $"peers must present this same certificate (SHA-256 {_pin})"
        : $"peers must present a certificate issued by {string.Join(" or ", _authorities.Select(a => a.Subject))}";

    /// <summary>Loads the configured certificate and trust; a missing, unreadable or unusable file stops the start with a message naming the key.</summary>
    public static ClusterCredentials Load(ClusterTlsOptions options, TimeProvider time)
    {
        var certificate = LoadCertificate(options);
        if (!certificate.HasPrivateKey)
            throw Problem($"{ClusterTlsOptions.Section}:CertificatePath ({options.CertificatePath}) holds no private key; name the key file in {ClusterTlsOptions.Section}:KeyPath.");
        var now = time.GetUtcNow();
        if (now < certificate.NotBefore || now > certificate.NotAfter)
            throw Problem($"The cluster certificate {certificate.Subject} ({options.CertificatePath}) is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now; make a new one (deploy/cluster-cert.sh).");

        X509Certificate2Collection? authorities = null;
        if (!string.IsNullOrWhiteSpace(options.CaPath))
        {
            authorities = [];
            try
            {
                authorities.ImportFromPemFile(options.CaPath);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw Problem($"{ClusterTlsOptions.Section}:CaPath ({options.CaPath}) cannot be read as PEM certificates: {exception.Message}", exception);
            }

            if (authorities.Count == 0)
                throw Problem($"{ClusterTlsOptions.Section}:CaPath ({options.CaPath}) holds no PEM certificate.");
        }

        var credentials = new ClusterCredentials(certificate, authorities);

        // A certificate the trusted CAs did not issue would be refused by every peer: say so now, not at each connection.
        if ((credentials.Refusal(certificate, peerIsClient: false, now) ?? credentials.Refusal(certificate, peerIsClient: true, now)) is { } refusal)
            throw Problem($"This process's own certificate would be refused by its peers: {refusal}. Check {ClusterTlsOptions.Section}:CaPath.");
        return credentials;
    }

    /// <summary>
    /// A certificate made now and held only in this process's memory: an embedded hub's silo port then admits no
    /// other process, since none can present it.
    /// </summary>
    public static ClusterCredentials Ephemeral(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=herald-embedded", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication), new Oid(ClientAuthentication)], critical: false));
        var now = time.GetUtcNow();
        return new ClusterCredentials(request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10)), authorities: null);
    }

    /// <summary>Why <paramref name="peer"/>'s certificate is refused, or null when it is accepted.</summary>
    public string? Refusal(X509Certificate2 peer, bool peerIsClient, DateTimeOffset now, X509Chain? presented = null)
    {
        if (_authorities is null)
        {
            if (!string.Equals(peer.GetCertHashString(HashAlgorithmName.SHA256), _pin, StringComparison.OrdinalIgnoreCase))
                return $"its certificate ({Describe(peer)}) is not this cluster's";
            return now < peer.NotBefore || now > peer.NotAfter ? $"its certificate ({Describe(peer)}) is valid from {peer.NotBefore:u} to {peer.NotAfter:u}, not now" : null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(peerIsClient ? ClientAuthentication : ServerAuthentication));
        if (presented is not null)
        {
            // Intermediates the peer sent with its certificate.
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        if (chain.Build(peer))
            return null;
        var problems = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"its certificate ({Describe(peer)}) is not accepted by the trusted CAs ({problems})";
    }

    private static string Describe(X509Certificate2 certificate) => $"{certificate.Subject}, issued by {certificate.Issuer}, SHA-256 {certificate.GetCertHashString(HashAlgorithmName.SHA256)[..16]}…";

    private static X509Certificate2 LoadCertificate(ClusterTlsOptions options)
    {
        var path = options.CertificatePath!;
        try
        {
            var pem = File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal);
            if (!pem)
                return X509CertificateLoader.LoadPkcs12FromFile(path, options.Password, X509KeyStorageFlags.EphemeralKeySet);
            var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? path : options.KeyPath;
            return options.Password is { Length: > 0 } password
                ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
                : X509Certificate2.CreateFromPemFile(path, keyPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw Problem($"The cluster certificate cannot be loaded from {ClusterTlsOptions.Section}:CertificatePath ({path})" +
                          (string.IsNullOrWhiteSpace(options.KeyPath) ? string.Empty : $" with KeyPath ({options.KeyPath})") + $": {exception.Message}", exception);
        }
    }

    private static HeraldStartupException Problem(string message, Exception? inner = null) => new(message, inner);
}
