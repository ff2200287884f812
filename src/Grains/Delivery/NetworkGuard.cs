using System.Net;
using System.Net.Sockets;

namespace Herald.Grains.Delivery;

/// <summary>
/// Which addresses deliveries may connect to. Loopback, private, link-local (cloud metadata lives there),
/// carrier-grade NAT and unique-local addresses are blocked unless private networks are allowed or the address is
/// in an allowed network. Checked at connect time, on the address actually connected to, so DNS rebinding gains nothing.
/// </summary>
public sealed class NetworkGuard
{
    private static readonly IPNetwork[] Blocked =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"),
    ];

    private readonly bool _allowPrivate;
    private readonly IPNetwork[] _allowed;

    public NetworkGuard(bool allowPrivateNetworks, IEnumerable<string> allowedNetworks)
    {
        _allowPrivate = allowPrivateNetworks;
        _allowed = allowedNetworks.Select(IPNetwork.Parse).ToArray();
    }

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (_allowPrivate || _allowed.Any(n => n.Contains(address)))
            return true;
        return !Blocked.Any(n => n.Contains(address));
    }

    /// <summary>Resolves the host and connects to the first allowed address; refuses when none is allowed.</summary>
    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(IsAllowed).ToArray();
        if (allowed.Length == 0)
            throw new DeliveryBlockedException(endPoint.Host, addresses);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The destination resolves only to addresses deliveries may not reach.</summary>
public sealed class DeliveryBlockedException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"Blocked by the SSRF guard: {host} resolves to {(addresses.Count == 0 ? "no address" : string.Join(", ", addresses))}, " +
                "a loopback, private, link-local or metadata address. Allow it with Herald:Delivery:AllowedNetworks if it is intended.");
