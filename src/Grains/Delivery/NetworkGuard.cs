using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Herald.Grains.Delivery;

/// <summary>
/// Which addresses deliveries may connect to. Everything that is not a public unicast address is blocked unless
/// private networks are allowed or the address is in an allowed network: loopback, private, link-local (cloud
/// metadata lives there), carrier-grade NAT, unique-local, the documentation, benchmarking and protocol ranges,
/// multicast, reserved space, and this machine's own addresses (a service bound to all interfaces answers on them
/// as on loopback). IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
/// Checked at connect time, on the address actually connected to, so DNS rebinding gains nothing.
/// </summary>
public sealed class NetworkGuard
{
    // The IANA special-purpose registries (RFC 6890 and successors), less what the embedded IPv4 rules cover.
    private static readonly IPNetwork[] Blocked =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.88.99.0/24"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/96"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("100::/64"), IPNetwork.Parse("2001::/32"),
        IPNetwork.Parse("2001:2::/48"), IPNetwork.Parse("2001:10::/28"), IPNetwork.Parse("2001:20::/28"), IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("3fff::/20"), IPNetwork.Parse("5f00::/16"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("fec0::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly TimeSpan LocalAddressesLifetime = TimeSpan.FromSeconds(30);

    private readonly bool _allowPrivate;
    private readonly IPNetwork[] _allowed;
    private LocalAddressSet _local = new([], long.MinValue);

    public NetworkGuard(bool allowPrivateNetworks, IEnumerable<string> allowedNetworks)
    {
        _allowPrivate = allowPrivateNetworks;
        _allowed = allowedNetworks.Select(IPNetwork.Parse).ToArray();
    }

    public bool IsAllowed(IPAddress address)
    {
        if (_allowPrivate)
            return true;
        address = Embedded(address);
        if (_allowed.Any(n => n.Contains(address)))
            return true;
        return !Blocked.Any(n => n.Contains(address)) && !LocalAddresses().Contains(address);
    }

    /// <summary>
    /// Whether <paramref name="address"/> is this machine: loopback, or the address of one of its interfaces. The
    /// MCP bridge sends requests to tool-named addresses only when they are (the opposite of a delivery's rule).
    /// </summary>
    public bool IsThisMachine(IPAddress address)
    {
        address = Embedded(address);
        return IPAddress.IsLoopback(address) || LocalAddresses().Contains(address);
    }

    /// <summary>The IPv4 address an IPv6 address stands for (mapped, NAT64 well-known prefix, 6to4), or the address itself.</summary>
    private static IPAddress Embedded(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (Nat64.Contains(address))
            return new IPAddress(bytes[12..]);
        if (SixToFour.Contains(address))
            return new IPAddress(bytes[2..6]);
        return address;
    }

    /// <summary>
    /// The addresses of this machine's interfaces (IPv6 ones without their zone, as connect addresses compare),
    /// read again every half minute: interfaces come and go.
    /// </summary>
    private HashSet<IPAddress> LocalAddresses()
    {
        var local = Volatile.Read(ref _local);
        if (local.ReadAt != long.MinValue && Environment.TickCount64 - local.ReadAt < LocalAddressesLifetime.TotalMilliseconds)
            return local.Addresses;
        HashSet<IPAddress> addresses;
        try
        {
            addresses = NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => Embedded(a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(a.Address.GetAddressBytes()) : a.Address))
                .ToHashSet();
        }
        catch (Exception exception) when (exception is NetworkInformationException or SocketException)
        {
            // Keep what was known: a failure to list interfaces must not stop every delivery.
            addresses = local.Addresses;
        }

        Volatile.Write(ref _local, new LocalAddressSet(addresses, Environment.TickCount64));
        return addresses;
    }

    private sealed record LocalAddressSet(HashSet<IPAddress> Addresses, long ReadAt);

    /// <summary>
    /// Why deliveries to <paramref name="host"/> could never connect, or null when some address of it is allowed
    /// or it cannot be resolved now (DNS may answer later; delivery checks again at every connect). Lets a
    /// registration be refused up front instead of accepted and then disabled at its first delivery.
    /// </summary>
    public async ValueTask<string?> RefusalAsync(string host, TimeSpan resolveTimeout, CancellationToken cancellationToken)
    {
        if (_allowPrivate)
            return null;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(resolveTimeout);
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is SocketException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return null;
            }
        }

        return addresses.Length == 0 || addresses.Any(IsAllowed) ? null : new DeliveryBlockedException(host, addresses).Message;
    }

    /// <summary>Resolves the host and connects to the first allowed address; refuses when none is allowed.</summary>
    public ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken) =>
        ConnectAsync(endPoint, IsAllowed, cancellationToken);

    /// <summary>
    /// Resolves the host and connects to the first address <paramref name="allowed"/> accepts, judging the addresses
    /// actually connected to; refuses with <see cref="DeliveryBlockedException"/> when it accepts none.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, Func<IPAddress, bool> allowed, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        var usable = addresses.Where(allowed).ToArray();
        if (usable.Length == 0)
            throw new DeliveryBlockedException(endPoint.Host, addresses);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, endPoint.Port, cancellationToken).ConfigureAwait(false);
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
                "an address that is not public (loopback, private, link-local, metadata, reserved, or this machine's own). " +
                "Allow it with Herald:Delivery:AllowedNetworks if it is intended.");
