using Herald.Grains;
using Herald.Grains.Delivery;
using Herald.Grains.Hosting;
using Herald.Grains.Inbound;
using Herald.Grains.Telemetry;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Security;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Hosting;

public static class SiloHostingExtensions
{
    // Stands for the executables' own defaults (gateway 127.0.0.1:8000, silo 127.0.0.1:8200), set before this runs.
    private const string LoopbackUrl = "http://127.0.0.1";

    /// <summary>
    /// Hosts an Orleans silo in this process with Herald's grains and storage, as <see cref="StorageMode"/> reads it
    /// from configuration: PostgreSQL when <c>ConnectionStrings:Postgres</c> is set (a cluster), otherwise one silo on
    /// loopback (embedded) keeping its data in a SQLite file under <c>Herald:DataPath</c>, or in memory with
    /// <c>Herald:Storage=Memory</c>.
    /// </summary>
    public static IHostApplicationBuilder AddHeraldSilo(this IHostApplicationBuilder builder, SiloRole? role = null)
    {
        var services = builder.Services;
        var siloRole = role ?? SiloRole.Gateway;
        var storage = StorageMode.From(builder.Configuration);
        var cluster = storage.IsCluster;
        services.AddSingleton(siloRole);
        services.TryAddSingleton<ILocalConnectionCount, NoConnections>();
        services.AddSingleton<LocalSiloStats>();
        services.AddSingleton<ClusterView>();
        services.AddValidatedOptions<ClusterOptions>(ClusterOptions.Section);

        // Before the silo: the migrator must have created Orleans's tables when the silo starts reading them, and the
        // data file must be this process's before the silo reads grain state from it.
        services.AddHeraldStorage(storage);

        // A process others can reach needs keys, or it is an open API (and, through deliveries' attempt logs, a proxy
        // into the network it runs in); an embedded hub on loopback keeps the open default of the servers Herald replaces.
        services.AddValidatedOptions<AuthOptions>(AuthOptions.Section);
        services.AddSingleton<ApiKeyAuthenticator>();
        var exposed = ListenAddresses.BeyondLoopback(builder.Configuration, LoopbackUrl);
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (exposed.Count > 0 && !auth.Enabled && !auth.AllowAnonymous)
        {
            throw new HeraldStartupException(
                $"Herald would listen on {string.Join(", ", exposed)} with no API keys, so anyone who reaches it could push, register endpoints and read " +
                $"every event. Make a key with 'keys new' (dotnet Herald.Gateway.dll keys new --name <name>) and set the Herald__Auth__Keys__0__Name, " +
                $"Hash and Scopes__N it prints; or listen on 127.0.0.1 only; or set Herald:Auth:AllowAnonymous=true to run it open deliberately.");
        }

        // Private destinations are blocked by default wherever others can reach Herald: in a cluster, and on a hub
        // that listens beyond loopback (its attempt log would show them what an internal address answers). An
        // embedded hub on a laptop usually delivers to local receivers.
        services.PostConfigure<DeliveryOptions>(options => options.AllowPrivateNetworks ??= !cluster && exposed.Count == 0);
        services.AddHeraldGrainServices();
        services.AddValidatedOptions<InboundOptions>(InboundOptions.Section);
        services.AddValidatedOptions<ActionOptions>(ActionOptions.Section);
        services.AddHostedService<InboundRetention>();
        services.AddHealthChecks().AddCheck<SiloReadinessCheck>("silo", tags: [HealthTags.Ready]);
        services.AddOptions<DeliveryOptions>().Validate<IOptions<ClusterOptions>>(
            (delivery, orleans) => delivery.ReminderPeriod >= orleans.Value.MinimumReminderPeriod,
            "Herald:Delivery:ReminderPeriod must not be shorter than Herald:Cluster:MinimumReminderPeriod.");

        builder.AddHeraldTelemetry("herald-" + siloRole.Name);
        services.AddSingleton<StorageMetrics>();
        services.AddHostedService<InstrumentsAtStart<StorageMetrics>>();
        services.AddHostedService<InstrumentsAtStart<DeliveryMetrics>>();

        var settings = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        var traces = TelemetryHostingExtensions.TracesEnabled(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.AddHerald(settings, siloRole, storage);

            // Grain calls carry the caller's trace only when traces are recorded: the filter costs every call otherwise.
            if (traces)
                silo.AddActivityPropagation();
        });

        // After the silo: these call grains, so they start once it is active.
        services.AddHostedService<ClusterStatsPublisher>();
        services.AddHostedService<SweepTrigger>();
        return builder;
    }
}
