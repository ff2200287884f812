using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Herald.Grains.Telemetry;

namespace Herald.Infrastructure.Security;

/// <summary>Why a connection on Orleans's ports was dropped: a bounded label for the metric.</summary>
public enum RefusalKind
{
    /// <summary>The peer spoke something other than TLS: an Orleans client or silo without the cluster's certificate settings.</summary>
    Plaintext,

    /// <summary>The handshake failed before any certificate was judged: the peer sent none, or refused this process's.</summary>
    NoCertificate,

    /// <summary>The peer's certificate is not the cluster's, not issued by a trusted CA, or not valid now.</summary>
    UntrustedCertificate,

    /// <summary>The peer did not finish its handshake in time.</summary>
    Timeout,
}

/// <summary>
/// Records each connection refused on Orleans's ports: counted always, logged once per port, peer address and reason an
/// hour, so a peer that retries every second (a misconfigured silo, a scanner) cannot flood the log.
/// </summary>
public sealed partial class ConnectionRefusals
{
    private static readonly TimeSpan Quiet = TimeSpan.FromHours(1);

    // Bounded: a scan from many addresses must not grow it without limit; past the bound it starts over.
    private const int RememberedPeers = 4096;

    private readonly ConcurrentDictionary<(string Port, string Address, RefusalKind Kind), DateTimeOffset> _logged = new();
    private readonly Counter<long> _refused;
    private readonly ILogger<ConnectionRefusals> _logger;
    private readonly TimeProvider _time;

    public ConnectionRefusals(ILogger<ConnectionRefusals> logger, IMeterFactory meters, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        _refused = meters.Create(HeraldTelemetry.MeterName).CreateCounter<long>("herald.cluster.connections.refused", "{connection}",
            "Connections on Orleans's ports dropped during the TLS handshake, by port (silo, gateway, or outbound for connections this process made) and reason.");
    }

    public void Refused(string port, EndPoint? peer, RefusalKind kind, string reason)
    {
        _refused.Add(1, new KeyValuePair<string, object?>("port", port), new KeyValuePair<string, object?>("reason", Label(kind)));
        var address = (peer as IPEndPoint)?.Address.ToString() ?? peer?.ToString() ?? "an unknown address";
        var now = _time.GetUtcNow();
        if (_logged.TryGetValue((port, address, kind), out var last) && now - last < Quiet)
            return;
        if (_logged.Count >= RememberedPeers)
            _logged.Clear();
        _logged[(port, address, kind)] = now;
        if (port == Outbound)
            RefusedOutbound(_logger, peer?.ToString() ?? address, reason);
        else
            RefusedInbound(_logger, port, peer?.ToString() ?? address, reason);
    }

    public const string Outbound = "outbound";

    private static string Label(RefusalKind kind) => kind switch
    {
        RefusalKind.Plaintext => "plaintext",
        RefusalKind.NoCertificate => "no_certificate",
        RefusalKind.UntrustedCertificate => "untrusted_certificate",
        _ => "timeout",
    };

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning,
        Message = "Refused a connection on the Orleans {Port} port from {Peer}: {Reason}. Further refusals of this address for this reason are counted (herald_cluster_connections_refused_total), not logged, for an hour")]
    private static partial void RefusedInbound(ILogger logger, string port, string peer, string reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Could not connect to the Orleans port at {Peer}: {Reason}. Further failures for this reason are counted (herald_cluster_connections_refused_total), not logged, for an hour")]
    private static partial void RefusedOutbound(ILogger logger, string peer, string reason);
}
