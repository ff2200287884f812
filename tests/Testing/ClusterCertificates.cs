using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Herald.Testing;

/// <summary>
/// PEM files for mutual TLS on Orleans's ports, made once per test process in a folder of its own (removed when the
/// process exits): the cluster's CA and a certificate it issued, a self-signed certificate for the pinned mode, and
/// a CA of another cluster with a certificate of its own, for the attacker's side.
/// </summary>
public static class ClusterCertificates
{
    private static readonly Lazy<Files> Made = new(Make);

    /// <summary>The cluster's CA, and the certificate every Herald process and the bridge present.</summary>
    public static Issued Cluster => Made.Value.Cluster;

    /// <summary>A second CA of the same cluster (as during a rotation) with a certificate it issued.</summary>
    public static Issued NextCluster => Made.Value.Next;

    /// <summary>Another cluster's CA and certificate: valid, but not this cluster's.</summary>
    public static Issued Foreign => Made.Value.Foreign;

    /// <summary>A self-signed certificate, trusted only as itself (no CA configured).</summary>
    public static Issued Pinned => Made.Value.Pinned;

    /// <summary>
    /// The settings that give a process a certificate (the cluster's by default) and trust its issuer; a self-signed
    /// one is pinned (CaPath set empty, so it also replaces a CA given before).
    /// </summary>
    public static Dictionary<string, string> Settings(Issued? issued = null)
    {
        var files = issued ?? Cluster;
        return new Dictionary<string, string>
        {
            ["Herald:Cluster:Tls:CertificatePath"] = files.CertificatePath,
            ["Herald:Cluster:Tls:KeyPath"] = files.KeyPath,
            ["Herald:Cluster:Tls:CaPath"] = files.CaPath ?? string.Empty,
        };
    }

    /// <summary>A certificate's PEM files; <see cref="CaPath"/> is its issuer's certificate (null when it is self-signed).</summary>
    public sealed record Issued(string CertificatePath, string KeyPath, string? CaPath, X509Certificate2 Certificate);

    private sealed record Files(Issued Cluster, Issued Next, Issued Foreign, Issued Pinned);

    private static Files Make()
    {
        var folder = Directory.CreateTempSubdirectory("herald-certs-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Already gone, or in use by a child still exiting: a temp folder of a few KiB.
            }
        };

        return new Files(
            Issue(folder, "cluster", "CN=herald-test-ca"),
            Issue(folder, "next", "CN=herald-test-ca-2"),
            Issue(folder, "foreign", "CN=someone-elses-ca"),
            SelfSigned(folder, "pinned"));
    }

    private static Issued Issue(string folder, string name, string caSubject)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest(caSubject, caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Leaf($"CN=herald-{name}", key);
        using var leaf = request.Create(ca, now.AddMinutes(-1), now.AddMonths(6), RandomNumberGenerator.GetBytes(16));
        var caPath = Path.Combine(folder, $"{name}-ca.crt");
        File.WriteAllText(caPath, ca.ExportCertificatePem());
        return Write(folder, name, leaf, key, caPath);
    }

    private static Issued SelfSigned(string folder, string name)
    {
        var now = DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = Leaf($"CN=herald-{name}", key).CreateSelfSigned(now.AddMinutes(-5), now.AddMonths(6));
        return Write(folder, name, certificate, key, caPath: null);
    }

    private static CertificateRequest Leaf(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        return request;
    }

    private static Issued Write(string folder, string name, X509Certificate2 certificate, ECDsa key, string? caPath)
    {
        var certificatePath = Path.Combine(folder, $"{name}.crt");
        var keyPath = Path.Combine(folder, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new Issued(certificatePath, keyPath, caPath, X509Certificate2.CreateFromPem(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()));
    }
}
