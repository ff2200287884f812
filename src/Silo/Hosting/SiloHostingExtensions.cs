using Herald.Grains;
using Herald.Grains.Delivery;
using Herald.Grains.Inbound;
using Herald.Grains.Telemetry;
using Herald.Grains.Webhooks;
using Herald.Silo.Cluster;
using Herald.Silo.Postgres;
using Herald.Silo.Sqlite;
using Herald.Silo.Storage;
using Herald.Silo.Streams;
using Herald.Silo.Telemetry;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>
    /// Hosts an Orleans silo in this process with Herald's grains and storage: PostgreSQL when
    /// <c>ConnectionStrings:Postgres</c> is set (cluster mode: ADO.NET clustering, grain storage and reminders);
    /// otherwise one silo on loopback (embedded) keeping its data in a SQLite file under <c>Herald:DataPath</c>, or
    /// in memory with <c>Herald:Storage=Memory</c>.
    /// </summary>
    public static IHostApplicationBuilder AddHeraldSilo(this IHostApplicationBuilder builder, SiloRole? role = null)
    {
        var services = builder.Services;
        var siloRole = role ?? SiloRole.Gateway;
        services.AddSingleton(siloRole);
        services.AddSingleton<AttemptCounter>();
        services.TryAddSingleton<ILocalConnectionCount, NoConnections>();
        services.AddSingleton<LocalSiloStats>();
        services.AddSingleton<ClusterView>();
        services.AddValidatedOptions<ClusterOptions>(ClusterOptions.Section);
        var connectionString = builder.Configuration.GetConnectionString(PostgresOptions.ConnectionStringName);
        var cluster = !string.IsNullOrWhiteSpace(connectionString);
        if (cluster)
            connectionString = PostgresConnectionString.WithDefaults(connectionString!);
        if (cluster && !string.IsNullOrWhiteSpace(builder.Configuration[StorageSettings.StorageKey]))
        {
            throw new HeraldStartupException(
                $"{StorageSettings.StorageKey} chooses where an embedded hub keeps its data, but ConnectionStrings:Postgres is set, so this is a cluster on PostgreSQL. Remove one of the two.");
        }

        var sqlite = !cluster && StorageSettings.From(builder.Configuration) is { Storage: EmbeddedStorage.Sqlite } embedded ? embedded.DataPath : null;

        // Before the silo: the migrator must have created Orleans's tables when the silo starts reading them, and the
        // data file must be this process's before the silo reads grain state from it.
        if (cluster)
            services.AddPostgresProviders(connectionString!);
        else if (sqlite is not null)
            services.AddSqliteProviders(sqlite);

        // Private destinations are blocked by default in a cluster (reachable from a server, exposed to users);
        // an embedded hub on a laptop usually delivers to local receivers.
        services.PostConfigure<DeliveryOptions>(options => options.AllowPrivateNetworks ??= !cluster);
        services.AddHeraldGrainServices();
        services.AddMemoryProviders();
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
            silo.AddHerald(settings, siloRole, cluster ? connectionString : null, embeddedOnSqlite: sqlite is not null);

            // Grain calls carry the caller's trace only when traces are recorded: the filter costs every call otherwise.
            if (traces)
                silo.AddActivityPropagation();
        });

        // After the silo: these call grains, so they start once it is active.
        services.AddHostedService<ClusterStatsPublisher>();
        services.AddHostedService<SweepTrigger>();
        return builder;
    }

    /// <summary>The in-memory providers of Herald's own storage (embedded mode with <c>Herald:Storage=Memory</c>); the others register theirs first.</summary>
    public static IServiceCollection AddMemoryProviders(this IServiceCollection services)
    {
        services.AddValidatedOptions<StreamOptions>(StreamOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AttemptCounter>();
        services.TryAddSingleton<IStreamLog, MemoryStreamLog>();
        services.TryAddSingleton<IEndpointRegistry, MemoryEndpointRegistry>();
        services.TryAddSingleton<IAttemptLog, MemoryAttemptLog>();
        services.TryAddSingleton<IInboundEventStore, MemoryInboundEventStore>();
        services.TryAddSingleton<IActionCompletionStore, MemoryActionCompletionStore>();
        services.TryAddSingleton<ISubscriptionStore, MemorySubscriptionStore>();
        services.TryAddSingleton<IStorageBacklog>(sp => new StorageBacklog(sp.GetRequiredService<WebhookGrainCounters>(), sp.GetService<IAttemptWriteBacklog>()));
        return services;
    }
}
