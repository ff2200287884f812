using System.Net;
using Herald.Grains.Delivery;
using Microsoft.Extensions.Options;

namespace Herald.McpBridge;

/// <summary>
/// Every connection the bridge's HTTP client makes goes through this guard: to the configured gateway
/// (<c>Herald:GatewayUrl</c>) wherever the operator put it, and anywhere else only to this machine, judged on the
/// address actually connected to (so a name that resolves elsewhere, or rebinds, gains nothing). A tool argument, or an
/// inbound payload a model repeats, cannot make the bridge call another host.
/// </summary>
public sealed class BridgeConnections(IOptions<BridgeOptions> options)
{
    private readonly NetworkGuard _guard = new(allowPrivateNetworks: false, []);

    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var configured = new Uri(options.Value.GatewayUrl);
        var toConfigured = string.Equals(endPoint.Host, configured.IdnHost, StringComparison.OrdinalIgnoreCase) && endPoint.Port == configured.Port;
        try
        {
            return await NetworkGuard.ConnectAsync(endPoint, address => toConfigured || _guard.IsThisMachine(address), cancellationToken);
        }
        catch (DeliveryBlockedException blocked)
        {
            throw new HttpRequestException(
                $"{endPoint.Host} is not this machine, and the bridge calls no other host than this machine and Herald__GatewayUrl ({configured.GetLeftPart(UriPartial.Authority)})",
                blocked);
        }
    }

    /// <summary>Whether <paramref name="target"/> is the configured gateway, the one the bridge's API key is for.</summary>
    public bool IsConfiguredGateway(Uri target)
    {
        var configured = new Uri(options.Value.GatewayUrl);
        return string.Equals(target.Scheme, configured.Scheme, StringComparison.OrdinalIgnoreCase)
               && string.Equals(target.IdnHost, configured.IdnHost, StringComparison.OrdinalIgnoreCase)
               && target.Port == configured.Port;
    }

    /// <summary>Whether <paramref name="host"/> names this machine: a loopback or interface address, <c>localhost</c>, or its host name.</summary>
    public bool IsThisMachine(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? _guard.IsThisMachine(address)
            : string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || string.Equals(host, Dns.GetHostName(), StringComparison.OrdinalIgnoreCase);
}
