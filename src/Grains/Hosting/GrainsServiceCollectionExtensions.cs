using Herald.Grains.Delivery;
using Herald.Grains.Telemetry;
using Herald.Grains.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Herald.Grains.Hosting;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>The services grain code depends on, apart from the providers the silo supplies.</summary>
    public static IServiceCollection AddHeraldGrainServices(this IServiceCollection services)
    {
        services.AddValidatedOptions<DeliveryOptions>(DeliveryOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeliveryHttpClient>();
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<RetryPolicy>();
        services.TryAddSingleton<EndpointStatusReader>();
        services.TryAddSingleton<WebhookGrainCounters>();
        services.AddMetrics();
        services.TryAddSingleton<DeliveryMetrics>();
        return services;
    }
}
