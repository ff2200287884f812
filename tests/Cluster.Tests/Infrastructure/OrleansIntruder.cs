using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Herald.Cluster.Tests.Infrastructure;

/// <summary>
/// Orleans clients and silos started in the test process the way an attacker (or a misconfigured peer) would start
/// them: the plain Orleans packages, Herald's default cluster and service ids, and whatever certificate the test
/// gives, or none. Nothing of Herald's own connection code is used.
/// </summary>
public static class OrleansIntruder
{
    public const string ClusterId = "herald";

    /// <summary>
    /// How long an intruder gets to connect or join before the test calls it refused. A refused Orleans client keeps
    /// trying until it is given up on; a silo stops by itself after its join attempt time.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan JoinAttempt = TimeSpan.FromSeconds(5);

    /// <summary>A client that finds the gateways in the cluster's membership table on <paramref name="postgres"/>.</summary>
    public static Task<IHost> ClientAsync(string postgres, X509Certificate2? certificate = null) =>
        StartAsync(Patience, builder => builder.UseOrleansClient(client =>
        {
            Identify(client.Services);
            client.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = postgres;
            });
            if (certificate is not null)
                client.UseTls(certificate, tls => tls.AllowAnyRemoteCertificate());
        }));

    /// <summary>A client pointed at one Orleans port directly, as one would point it at a port found by a scan.</summary>
    public static Task<IHost> ClientAsync(IPEndPoint port, X509Certificate2? certificate = null) =>
        StartAsync(Patience, builder => builder.UseOrleansClient(client =>
        {
            Identify(client.Services);
            client.UseStaticClustering(port);
            if (certificate is not null)
                client.UseTls(certificate, tls => tls.AllowAnyRemoteCertificate());
        }));

    /// <summary>A silo that tries to join the cluster on <paramref name="postgres"/>, on free loopback ports.</summary>
    public static Task<IHost> SiloAsync(string postgres) =>
        StartAsync(Patience + JoinAttempt * 2, builder => builder.UseOrleans(silo =>
        {
            Identify(silo.Services);
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = postgres;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
            Impatient(silo.Services);
        }));

    /// <summary>A silo that tries to join an embedded hub, whose silo port is its primary (development clustering).</summary>
    public static Task<IHost> SiloAsync(IPEndPoint primary) =>
        StartAsync(Patience + JoinAttempt * 2, builder => builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), primary, serviceId: ClusterId, clusterId: ClusterId);
            Impatient(silo.Services);
        }));

    private static void Identify(IServiceCollection services) =>
        services.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = ClusterId;
            options.ServiceId = ClusterId;
        });

    // An intruder would wait; the test only needs to see it fail to join rather than wait Orleans's default 5 minutes.
    // A silo the others declare dead ends its process (Orleans's fatal-error handler): here that is the test host.
    private static void Impatient(IServiceCollection services)
    {
        services.Configure<ClusterMembershipOptions>(options => options.MaxJoinAttemptTime = JoinAttempt);
        services.AddSingleton<IFatalErrorHandler, SurvivesBeingDeclaredDead>();
    }

    private sealed class SurvivesBeingDeclaredDead : IFatalErrorHandler
    {
        public bool IsUnexpected(Exception exception) => false;

        public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
        {
        }
    }

    private static async Task<IHost> StartAsync(TimeSpan limit, Action<HostApplicationBuilder> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        configure(builder);
        var host = builder.Build();
        using var patience = new CancellationTokenSource(limit);
        try
        {
            await host.StartAsync(patience.Token);
            return host;
        }
        catch
        {
            // Stopped, not only disposed: a silo that failed to join still runs its membership loops until stopped.
            using var stopping = new CancellationTokenSource(Patience);
            await host.StopAsync(stopping.Token);
            host.Dispose();
            throw;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
