using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;

namespace Herald.Infrastructure.Security;

/// <summary>
/// Sits around Orleans's TLS middleware on one kind of connection and judges the peer's certificate: it says why a
/// handshake failed (Orleans's middleware only logs that it did, without the peer's address), and drops a peer that
/// speaks plaintext or nothing at all before a handshake is attempted.
/// </summary>
internal sealed class PeerAdmission(ClusterCredentials credentials, string port, bool inbound, TimeSpan handshakeTimeout, ConnectionRefusals refusals, TimeProvider time)
{
    // TLS records of the handshake begin with this content type; anything else is not TLS.
    private const byte HandshakeRecord = 0x16;

    // The certificate check runs inside the TLS middleware, which knows nothing of the connection; the attempt it
    // belongs to flows to it with the handshake's execution context.
    private static readonly AsyncLocal<Attempt?> Current = new();

    /// <summary>Outermost: starts the attempt, and reports it when the TLS middleware gave up on the connection.</summary>
    public async Task WatchAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (inbound)
        {
            switch (await FirstByteAsync(connection))
            {
                case Opening.Closed:
                    // A port probe (a TCP health check, a scanner): nothing was offered, nothing to report.
                    return;
                case Opening.Silent:
                    refusals.Refused(port, connection.RemoteEndPoint, RefusalKind.Timeout, $"it sent nothing within {handshakeTimeout.TotalSeconds:0.#} s");
                    return;
                case Opening.Plaintext:
                    refusals.Refused(port, connection.RemoteEndPoint, RefusalKind.Plaintext,
                        "it does not speak TLS (an Orleans client or silo without Herald:Cluster:Tls:CertificatePath, or not Orleans at all)");
                    return;
            }
        }

        var attempt = new Attempt();
        Current.Value = attempt;
        connection.Features.Set(attempt);
        var started = Stopwatch.GetTimestamp();
        await next(connection);
        if (attempt.Admitted)
            return;
        if (attempt.Refusal is { } refusal)
            refusals.Refused(port, connection.RemoteEndPoint, RefusalKind.UntrustedCertificate, refusal);
        else if (Stopwatch.GetElapsedTime(started) >= handshakeTimeout)
            refusals.Refused(port, connection.RemoteEndPoint, RefusalKind.Timeout, $"it did not finish its TLS handshake within {handshakeTimeout.TotalSeconds:0.#} s");
        else
            refusals.Refused(port, connection.RemoteEndPoint, RefusalKind.NoCertificate, inbound
                ? "its TLS handshake failed before a certificate could be judged: it presented none, or refused this process's certificate"
                : "its TLS handshake failed: it refused this process's certificate, or presented none");
    }

    /// <summary>Innermost: reached only once the handshake succeeded and the peer's certificate was accepted.</summary>
    public static Task AdmittedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.Features.Get<Attempt>() is { } attempt)
            attempt.Admitted = true;
        return next(connection);
    }

    /// <summary>Orleans's certificate callback: the chain and name checks of the platform are replaced by the cluster's own rule.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var refusal = credentials.Refusal(certificate, peerIsClient: inbound, time.GetUtcNow(), chain);
        if (refusal is not null && Current.Value is { } attempt)
            attempt.Refusal = refusal;
        return refusal is null;
    }

    /// <summary>How the peer opened: judged by the first byte it sent, which is left unread for the TLS middleware.</summary>
    private async Task<Opening> FirstByteAsync(ConnectionContext connection)
    {
        using var timeout = new CancellationTokenSource(handshakeTimeout);
        try
        {
            var read = await connection.Transport.Input.ReadAsync(timeout.Token);
            var opening = read.Buffer.IsEmpty ? Opening.Closed : read.Buffer.FirstSpan[0] == HandshakeRecord ? Opening.Tls : Opening.Plaintext;
            connection.Transport.Input.AdvanceTo(read.Buffer.Start);
            return opening;
        }
        catch (OperationCanceledException)
        {
            return Opening.Silent;
        }
    }

    private enum Opening
    {
        Tls,
        Plaintext,
        Closed,
        Silent,
    }

    private sealed class Attempt
    {
        public bool Admitted { get; set; }

        public string? Refusal { get; set; }
    }
}
