using Herald.Contracts;

namespace Herald.Storage;

/// <summary>The registered webhook endpoints. A URL is registered at most once.</summary>
public interface IEndpointRegistry
{
    ValueTask<EndpointDefinition?> GetAsync(string id, CancellationToken cancellationToken = default);

    ValueTask<EndpointDefinition?> FindByUrlAsync(string url, CancellationToken cancellationToken = default);

    /// <summary>Every endpoint, oldest first.</summary>
    ValueTask<IReadOnlyList<EndpointDefinition>> ListAsync(CancellationToken cancellationToken = default);

    ValueTask<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>The enabled endpoints whose topics match <paramref name="topic"/>.</summary>
    ValueTask<IReadOnlyList<EndpointDefinition>> GetSubscribersAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds the endpoint unless its URL is registered already, atomically. Returns the stored endpoint and
    /// whether it was created by this call.
    /// </summary>
    ValueTask<(EndpointDefinition Endpoint, bool Created)> AddAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default);

    ValueTask UpdateAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default);

    ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default);
}
