using Herald.Contracts;
using Herald.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Embedded endpoint registry. Subscriber lists are cached per topic and dropped on any change, so a push costs
/// one dictionary lookup rather than a scan of every endpoint.
/// </summary>
internal sealed class MemoryEndpointRegistry : IEndpointRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EndpointDefinition> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByUrl = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private long _lastOrdinal;
    private readonly TopicSubscriberCache _subscribers = new();

    public ValueTask<EndpointDefinition?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_byId.GetValueOrDefault(id));
    }

    public ValueTask<EndpointDefinition?> FindByUrlAsync(string url, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_idByUrl.TryGetValue(url, out var id) ? _byId[id] : null);
    }

    public ValueTask<IReadOnlyList<EndpointDefinition>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult<IReadOnlyList<EndpointDefinition>>(_order.Select(id => _byId[id]).ToArray());
    }

    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult(_byId.Count);
    }

    public ValueTask<IReadOnlyList<EndpointDefinition>> GetSubscribersAsync(string topic, CancellationToken cancellationToken = default) =>
        _subscribers.GetAsync(topic, _ => ValueTask.FromResult(Enabled()), cancellationToken);

    private IReadOnlyList<EndpointDefinition> Enabled()
    {
        lock (_gate)
            return _order.Select(id => _byId[id]).Where(e => e.Enabled).ToArray();
    }

    public ValueTask<(EndpointDefinition Endpoint, bool Created)> AddAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_idByUrl.TryGetValue(endpoint.Url, out var existing))
                return ValueTask.FromResult((_byId[existing], false));
            endpoint = endpoint with { Ordinal = ++_lastOrdinal };
            _byId.Add(endpoint.Id, endpoint);
            _idByUrl.Add(endpoint.Url, endpoint.Id);
            _order.Add(endpoint.Id);
            InvalidateLocked();
            return ValueTask.FromResult((endpoint, true));
        }
    }

    public ValueTask UpdateAsync(EndpointDefinition endpoint, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(endpoint.Id, out var current))
            {
                _byId[endpoint.Id] = endpoint with { Ordinal = current.Ordinal };
                InvalidateLocked();
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_byId.Remove(id, out var removed))
                return ValueTask.FromResult(false);
            _idByUrl.Remove(removed.Url);
            _order.Remove(id);
            InvalidateLocked();
            return ValueTask.FromResult(true);
        }
    }

    private void InvalidateLocked() => _subscribers.Invalidate();
}
