using System.Net;
using HeraldClusterOptions = Herald.Infrastructure.Cluster.ClusterOptions;

namespace Herald.Infrastructure.Security;

/// <summary>
/// Whether this silo's Orleans ports run TLS, and with which certificate. An embedded hub always does, with a
/// certificate of its own that no other process holds. A cluster uses the configured certificate; without one it
/// may run in the clear only on loopback, or when <c>Herald:Cluster:Tls:Disabled</c> says so.
/// </summary>
public static partial class ClusterTlsPolicy
{
    public static ClusterCredentials? Credentials(HeraldClusterOptions settings, IPAddress? advertised, TimeProvider time, IServiceCollection services)
    {
        if (advertised is null)
            return ClusterCredentials.Ephemeral(time);

        if (settings.Tls.Configured)
        {
            var credentials = ClusterCredentials.Load(settings.Tls, time);
            services.AddHostedService(sp => new Notice(sp.GetRequiredService<ILogger<ClusterCredentials>>(), logger => TlsOn(logger, credentials.TrustRule)));
            return credentials;
        }

        var reach = settings.ListenOnAnyAddress ? "every interface (Herald:Cluster:ListenOnAnyAddress=true)" : IPAddress.IsLoopback(advertised) ? null : $"{advertised} (Herald:Cluster:AdvertisedHost)";
        if (reach is null)
        {
            services.AddHostedService(sp => new Notice(sp.GetRequiredService<ILogger<ClusterCredentials>>(), logger => PlainOnLoopback(logger)));
            return null;
        }

        if (!settings.Tls.Disabled)
        {
            throw new HeraldStartupException(
                $"this silo's Orleans ports listen on {reach}, and without TLS anything that reaches them can call every grain, below the API's keys. " +
                $"Give every process the cluster's certificate: {ClusterTlsOptions.Section}:CertificatePath and KeyPath (make one with deploy/cluster-cert.sh), " +
                $"and {ClusterTlsOptions.Section}:CaPath to trust a CA; or set {ClusterTlsOptions.Section}:Disabled=true to run without TLS on a network only Herald reaches.");
        }

        services.AddHostedService(sp => new Notice(sp.GetRequiredService<ILogger<ClusterCredentials>>(), logger => PlainByChoice(logger, reach)));
        return null;
    }

    /// <summary>Says once, as the process starts, how its Orleans ports are protected.</summary>
    private sealed class Notice(ILogger logger, Action<ILogger> say) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            say(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4120, Level = LogLevel.Information, Message = "Orleans's silo and gateway ports require TLS with a client certificate: {TrustRule}")]
    private static partial void TlsOn(ILogger logger, string trustRule);

    [LoggerMessage(EventId = 4121, Level = LogLevel.Warning,
        Message = "Orleans's silo and gateway ports run without TLS: they listen on loopback only, but any process on this machine can join the cluster or call its grains. Set Herald:Cluster:Tls:CertificatePath (deploy/cluster-cert.sh makes one)")]
    private static partial void PlainOnLoopback(ILogger logger);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Warning,
        Message = "Orleans's silo and gateway ports listen on {Reach} without TLS, as Herald:Cluster:Tls:Disabled=true asks: anything that reaches them can call every grain. Keep them on a network only Herald's processes reach")]
    private static partial void PlainByChoice(ILogger logger, string reach);
}
