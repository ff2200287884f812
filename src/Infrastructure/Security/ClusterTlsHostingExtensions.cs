using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Herald.Infrastructure.Security;

/// <summary>
/// Mutual TLS on every Orleans connection, with <c>Microsoft.Orleans.Connections.Security</c>: each side presents
/// the cluster's certificate and requires the other's, judged by <see cref="ClusterCredentials"/>.
/// </summary>
public static class ClusterTlsHostingExtensions
{
    /// <summary>The silo port and the client gateway port accept only TLS peers with an accepted certificate; connections to other silos present this one's.</summary>
    public static ISiloBuilder UseHeraldTls(this ISiloBuilder silo, ClusterCredentials credentials, TimeSpan handshakeTimeout)
    {
        silo.Services.TryAddSingleton<ConnectionRefusals>();
        silo.Configure<SiloConnectionOptions>(options =>
        {
            options.ConfigureSiloInboundConnection(connection => connection.UseHeraldTls(credentials, handshakeTimeout, "silo", inbound: true));
            options.ConfigureGatewayInboundConnection(connection => connection.UseHeraldTls(credentials, handshakeTimeout, "gateway", inbound: true));
            options.ConfigureSiloOutboundConnection(connection => connection.UseHeraldTls(credentials, handshakeTimeout, ConnectionRefusals.Outbound, inbound: false));
        });
        return silo;
    }

    /// <summary>An Orleans client (the MCP bridge) presents the cluster's certificate and requires the gateway's.</summary>
    public static IClientBuilder UseHeraldTls(this IClientBuilder client, ClusterCredentials credentials, TimeSpan handshakeTimeout)
    {
        client.Services.AddMetrics();
        client.Services.TryAddSingleton(TimeProvider.System);
        client.Services.TryAddSingleton<ConnectionRefusals>();
        client.Configure<ClientConnectionOptions>(options =>
            options.ConfigureConnection(connection => connection.UseHeraldTls(credentials, handshakeTimeout, ConnectionRefusals.Outbound, inbound: false)));
        return client;
    }

    private static void UseHeraldTls(this IConnectionBuilder connection, ClusterCredentials credentials, TimeSpan handshakeTimeout, string port, bool inbound)
    {
        var services = connection.ApplicationServices;
        var admission = new PeerAdmission(credentials, port, inbound, handshakeTimeout, services.GetRequiredService<ConnectionRefusals>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System);
        var tls = new TlsOptions
        {
            LocalCertificate = credentials.Certificate,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            RemoteCertificateValidation = admission.Validate,
            HandshakeTimeout = handshakeTimeout,
        };
        connection.Use(next => context => admission.WatchAsync(context, next));
        if (inbound)
            connection.UseServerTls(tls);
        else
            connection.UseClientTls(tls);
        connection.Use(next => context => PeerAdmission.AdmittedAsync(context, next));
    }
}
