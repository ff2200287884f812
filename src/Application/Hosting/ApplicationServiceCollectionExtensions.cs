using Herald.Application.Actions;
using Herald.Application.Channels;
using Herald.Application.Deployments;
using Herald.Application.Endpoints;
using Herald.Application.Events;
using Herald.Application.Push;
using Herald.Application.Subscriptions;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Application.Hosting;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>The use cases the REST routes and the entry grain adapt; each is stateless over the stores it is given.</summary>
    public static IServiceCollection AddHeraldApplication(this IServiceCollection services)
    {
        services.AddSingleton<EventQueries>();
        services.AddSingleton<DeploymentQueries>();
        services.AddSingleton<ActionUseCases>();
        services.AddSingleton<SubscriptionUseCases>();
        services.AddSingleton<ChannelQueries>();
        services.AddSingleton<EndpointFactory>();
        services.AddSingleton<EndpointUseCases>();
        services.AddSingleton<PushRetries>();
        services.AddSingleton<PushUseCase>();
        return services;
    }
}
