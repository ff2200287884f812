using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;

namespace Herald.Grains.Delivery;

/// <summary>
/// The one HttpClient all webhook grains share: a pooled handler with no connection cap per server, so a
/// fan-out to many endpoints on one host runs in parallel; no redirects, so a receiver cannot bounce a signed
/// delivery elsewhere; every connection goes through the <see cref="NetworkGuard"/>; and no trace header is sent unless configured.
/// </summary>
public sealed class DeliveryHttpClient : IDisposable
{
    public DeliveryHttpClient(IOptions<DeliveryOptions> options)
    {
        Guard = new NetworkGuard(options.Value.AllowPrivateNetworks ?? true, options.Value.AllowedNetworks);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.Value.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = int.MaxValue,
            ConnectCallback = (context, cancellationToken) => Guard.ConnectAsync(context.DnsEndPoint, cancellationToken),
            ActivityHeadersPropagator = options.Value.SendTraceContext ? DistributedContextPropagator.Current : DistributedContextPropagator.CreateNoOutputPropagator(),
        };
        Client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public HttpClient Client { get; }

    public NetworkGuard Guard { get; }

    public void Dispose() => Client.Dispose();
}
