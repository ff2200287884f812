using System.Net;
using System.Net.Sockets;
using Herald.Contracts;
using Herald.Grains.Webhooks;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Security;
using Herald.Infrastructure.Storage;
using Orleans.Configuration;
using Orleans.Dashboard;
using HeraldClusterOptions = Herald.Infrastructure.Cluster.ClusterOptions;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace Herald.Infrastructure.Hosting;

public static class HeraldSiloBuilderExtensions
{
    /// <summary>
    /// Herald's silo: its grains, storage, reminders, the stream that announces log entries, and membership tuned to
    /// declare a dead silo within a second or two. Embedded: one silo on loopback, its grain state where
    /// <paramref name="storage"/> keeps the hub's data. Cluster: on the advertised address, with membership, grain
    /// storage and reminders in PostgreSQL.
    /// </summary>
    public static ISiloBuilder AddHerald(this ISiloBuilder silo, HeraldClusterOptions settings, SiloRole role, StorageMode storage)
    {
        silo.Configure<SiloOptions>(options => options.SiloName = settings.SiloName ?? $"{role.Name}-{Guid.NewGuid().ToString("N")[..8]}");
        var advertised = storage.IsCluster ? Resolve(settings.AdvertisedHost ?? IPAddress.Loopback.ToString()) : null;

        // Only processes holding the cluster's certificate connect to its ports (an embedded hub's is made at start
        // and held in memory), and the clients among them reach the API's entry grain only. Decided before any port
        // is taken, so a silo that may not run in the clear stops before it listens. An embedded hub offers clients
        // no port, so it spares every grain call the filter.
        if (ClusterTlsPolicy.Credentials(settings, advertised, TimeProvider.System, silo.Services) is { } credentials)
            silo.UseHeraldTls(credentials, settings.Tls.HandshakeTimeout);
        if (storage.IsCluster)
        {
            silo.AddIncomingGrainCallFilter<ClientCallGuard>();
            silo.AddIncomingGrainCallFilter<StorageErrorBoundary>();
        }

        if (advertised is null)
        {
            // Embedded. Ports of its own, so any number of hubs can run on one machine; no client gateway, since no
            // Orleans client connects to an embedded hub.
            silo.UseLocalhostClustering(
                siloPort: settings.SiloPort != 0 ? settings.SiloPort : FreePort(IPAddress.Loopback),
                gatewayPort: 0,
                serviceId: settings.ServiceId,
                clusterId: settings.ClusterId);
        }
        else
        {
            silo.Configure<OrleansClusterOptions>(options =>
            {
                options.ClusterId = settings.ClusterId;
                options.ServiceId = settings.ServiceId;
            });
            var listenOn = settings.ListenOnAnyAddress ? IPAddress.Any : advertised;
            var siloPort = settings.SiloPort != 0 ? settings.SiloPort : FreePort(listenOn);
            var gatewayPort = settings.GatewayPort switch
            {
                -1 => 0,
                0 => FreePort(listenOn),
                var port => port,
            };
            silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: settings.ListenOnAnyAddress);
        }

        silo.AddHeraldStorage(storage);

        // Orleans's classic directory unless asked otherwise: the distributed one (experimental) keeps one activation per
        // grain while silos join and leave, but leases a dead silo's ranges for about 22 s, and endpoints whose grains
        // fall in them wait that long; the classic one may briefly run two activations of a grain, which the delivery
        // state's ETag stops at its first write (measured: more redeliveries, with their first webhook-id, no inversions).
        if (settings.GrainDirectory == GrainDirectoryKind.Distributed)
        {
#pragma warning disable ORLEANSEXP003
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        }

        // Every silo collects its statistics for Orleans's dashboard, which gateways serve at /orleans. Its live
        // trace would stream every log line to any viewer: off. Its call profiler runs only while someone looks.
        if (settings.RunsOrleansDashboard(storage.IsCluster))
            silo.AddDashboard(options => options.HideTrace = true);
        return silo.AddHeraldGrainRuntime(settings);
    }

    /// <summary>
    /// What Herald's grains need of any silo, whatever its clustering and storage: the log stream, and reminder,
    /// membership, collection and placement settings. The in-process test cluster brings its own clustering.
    /// </summary>
    public static ISiloBuilder AddHeraldGrainRuntime(this ISiloBuilder silo, HeraldClusterOptions settings)
    {
        // One stream, so one queue: each further queue would only add a pulling agent polling an empty queue.
        silo.AddMemoryStreams(LogAppended.StreamProvider, streams => streams.ConfigurePartitioning(1));
        silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = settings.MinimumReminderPeriod);
        silo.Configure<GrainDirectoryOptions>(options => options.CacheSize = settings.DirectoryCacheSize);
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = settings.ProbeTimeout;
            options.NumMissedProbesLimit = settings.MissedProbesLimit;
            options.NumVotesForDeathDeclaration = settings.VotesForDeath;
            options.IAmAliveTablePublishTimeout = settings.IAmAliveInterval;
            options.NumMissedTableIAmAliveLimit = settings.MissedIAmAliveLimit;
            options.TableRefreshTimeout = settings.TableRefreshInterval;
            options.DefunctSiloExpiration = settings.DeadRetention;
            options.DefunctSiloCleanupPeriod = settings.DeadRetention;
        });
        silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = settings.ResponseTimeout);
        silo.Configure<GrainCollectionOptions>(options =>
        {
            options.CollectionQuantum = settings.CollectionQuantum;
            options.ClassSpecificCollectionAge[typeof(WebhookGrain).FullName!] = settings.IdleGrainAge;
        });

        // A gateway may leave delivery to the silos: placement then never puts a webhook grain here.
        if (!settings.HostsWebhooks)
            silo.Configure<GrainTypeOptions>(options => options.Classes.Remove(typeof(WebhookGrain)));
        return silo;
    }

    private static IPAddress Resolve(string host) =>
        IPAddress.TryParse(host, out var address)
            ? address
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new HeraldStartupException($"Herald:Cluster:AdvertisedHost '{host}' does not resolve to an IPv4 address.");

    /// <summary>A port free on <paramref name="address"/> now. Another process could take it before the silo binds it; then the silo fails to start, loudly.</summary>
    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        try
        {
            listener.Start();
        }
        catch (SocketException exception)
        {
            throw new HeraldStartupException(
                $"no port can be taken on {address} ({exception.Message}): Herald:Cluster:AdvertisedHost must be an address of this machine, or set Herald:Cluster:ListenOnAnyAddress=true where the advertised address is reached through another (a container).",
                exception);
        }

        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
