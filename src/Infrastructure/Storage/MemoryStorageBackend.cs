using Herald.Contracts;
using Herald.MessageLog;
using Herald.Infrastructure.MessageLog;
using Herald.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>Everything in this process's memory: an embedded hub started with <c>--in-memory</c>, and the in-process test cluster.</summary>
internal sealed class MemoryStorageBackend : StorageBackend
{
    public override void AddStores(IServiceCollection services)
    {
        services.AddSingleton<IMessageLog, MemoryMessageLog>();
        services.AddSingleton<IEndpointRegistry, MemoryEndpointRegistry>();
        services.AddKeyedSingleton<IAttemptLog, MemoryAttemptLog>(AttemptLogKey);
        services.AddSingleton<IInboundEventStore, MemoryInboundEventStore>();
        services.AddSingleton<IActionCompletionStore, MemoryActionCompletionStore>();
        services.AddSingleton<ISubscriptionStore, MemorySubscriptionStore>();
    }

    public override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(DeliveryState.StorageName, options => options.GrainStorageSerializer = new VersionedJsonGrainStorageSerializer());
        silo.AddMemoryGrainStorage(PubSubStore);
        silo.UseInMemoryReminderService();
    }
}
