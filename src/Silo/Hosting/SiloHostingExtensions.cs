using Herald.Grains;
using Herald.Grains.Inbound;
using Herald.Grains.Broadcast;
using Herald.Grains.Webhooks;
using Herald.Runtime;
using Herald.Silo.Cluster;
using Herald.Silo.Placement;
using Herald.Silo.Postgres;
using Herald.Silo.Runtime;
using Herald.Silo.Storage;
using Herald.Silo.Streams;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Herald.Silo.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>
    /// Hosts a silo in this process: the grain runtime, Herald's grains, and the storage and stream providers:
    /// PostgreSQL when <c>ConnectionStrings:Postgres</c> is set (cluster mode), in-memory otherwise (embedded).
    /// </summary>
    public static IHostApplicationBuilder AddHeraldSilo(this IHostApplicationBuilder builder, SiloRole? role = null)
    {
        var services = builder.Services;
        services.AddSingleton(role ?? SiloRole.Gateway);
        services.AddSingleton<SiloIdentity>();
        services.AddSingleton<AttemptCounter>();
        services.TryAddSingleton<ILocalConnectionCount, NoConnections>();
        services.AddSingleton<ClusterView>();
        services.AddValidatedOptions<ClusterOptions>(ClusterOptions.Section);
        var connectionString = builder.Configuration.GetConnectionString(PostgresOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(connectionString))
            services.AddPostgresProviders(connectionString);

        // Private destinations are blocked by default in a cluster (reachable from a server, exposed to users);
        // an embedded hub on a laptop usually delivers to local receivers.
        var cluster = !string.IsNullOrWhiteSpace(connectionString);
        services.PostConfigure<Grains.Delivery.DeliveryOptions>(options => options.AllowPrivateNetworks ??= !cluster);
        services.AddGrainRuntime();
        services.AddGrain<IWebhookGrain, WebhookGrain>();
        services.AddGrain<IBroadcasterGrain, BroadcasterGrain>();
        services.AddHeraldGrainServices();
        services.AddMemoryProviders();
        services.AddHostedService<SubscriberWakeAgent>();
        services.AddValidatedOptions<InboundOptions>(InboundOptions.Section);
        services.AddHostedService<InboundRetention>();
        return builder;
    }

    public static IServiceCollection AddGrainRuntime(this IServiceCollection services)
    {
        services.AddValidatedOptions<GrainRuntimeOptions>(GrainRuntimeOptions.Section);
        services.TryAddSingleton<GrainTypeMap>();
        services.TryAddSingleton<GrainCatalog>();
        services.TryAddSingleton<IGrainStatistics>(sp => sp.GetRequiredService<GrainCatalog>());
        services.TryAddSingleton<IGrainFactory, GrainFactory>();
        services.AddHostedService(sp => sp.GetRequiredService<GrainCatalog>());
        services.AddHostedService<IdleCollector>();
        services.TryAddSingleton<IGrainPlacement, LocalPlacement>();
        return services;
    }

    public static IServiceCollection AddGrain<TGrainInterface, TGrain>(this IServiceCollection services)
        where TGrainInterface : IGrainWithStringKey
        where TGrain : Grain, TGrainInterface
    {
        services.AddSingleton(new GrainRegistration(typeof(TGrainInterface), typeof(TGrain)));
        return services;
    }

    public static IServiceCollection AddMemoryProviders(this IServiceCollection services)
    {
        services.AddValidatedOptions<StreamOptions>(StreamOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IStreamLog, MemoryStreamLog>();
        services.TryAddSingleton<IGrainStorage, MemoryGrainStorage>();
        services.TryAddSingleton<IEndpointRegistry, MemoryEndpointRegistry>();
        services.TryAddSingleton<IAttemptLog, MemoryAttemptLog>();
        services.TryAddSingleton<IDeliveryOutcomeFeed, MemoryDeliveryOutcomeFeed>();
        services.TryAddSingleton<IInboundEventStore, MemoryInboundEventStore>();
        services.TryAddSingleton<IStorageBacklog, NoStorageBacklog>();
        return services;
    }
}
