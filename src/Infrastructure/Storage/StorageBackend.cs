namespace Herald.Infrastructure.Storage;

/// <summary>
/// One storage, configured in one place: Herald's stores (the log, endpoints, attempts, inbound events, action
/// completions, subscriptions) and what Orleans keeps in it (grain state, stream subscriptions, reminders, and in a
/// cluster its membership). <see cref="Hosting.StorageHostingExtensions"/> picks the one <see cref="StorageMode"/>
/// names and adds what every storage shares above it.
/// </summary>
public abstract class StorageBackend
{
    /// <summary>The key the backend's own attempt log is registered under; the <c>IAttemptLog</c> everyone uses counts over it.</summary>
    public const string AttemptLogKey = "backend";

    /// <summary>Grain storage Orleans streams keep their subscriptions in.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>Herald's stores. The attempt log is registered as a keyed service under <see cref="AttemptLogKey"/>.</summary>
    public abstract void AddStores(IServiceCollection services);

    /// <summary>Grain state, stream subscriptions and reminders (and membership, where several silos share the storage).</summary>
    public abstract void ConfigureSilo(ISiloBuilder silo);
}
