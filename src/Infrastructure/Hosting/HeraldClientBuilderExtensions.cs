using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.Security;
using Orleans.Configuration;
using HeraldClusterOptions = Herald.Infrastructure.Cluster.ClusterOptions;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace Herald.Infrastructure.Hosting;

public static class HeraldClientBuilderExtensions
{
    /// <summary>
    /// An Orleans client of a Herald cluster: it finds the silos' client gateways in the membership table on
    /// <paramref name="postgres"/>, under the same cluster and service ids as the silos, and presents the cluster's
    /// certificate when <c>Herald:Cluster:Tls</c> names one (a certificate that cannot be loaded throws
    /// <see cref="HeraldStartupException"/>).
    /// </summary>
    public static IClientBuilder UseHeraldCluster(this IClientBuilder client, HeraldClusterOptions settings, string postgres)
    {
        client.Configure<OrleansClusterOptions>(options =>
        {
            options.ClusterId = settings.ClusterId;
            options.ServiceId = settings.ServiceId;
        });
        client.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresStorageBackend.NpgsqlInvariant;
            options.ConnectionString = postgres;
        });

        // A silo that dies leaves the gateway list within a refresh, as it leaves the silos' membership view.
        client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = settings.TableRefreshInterval);
        client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = settings.ResponseTimeout);
        if (settings.Tls.Configured)
            client.UseHeraldTls(ClusterCredentials.Load(settings.Tls, TimeProvider.System), settings.Tls.HandshakeTimeout);
        return client;
    }
}
