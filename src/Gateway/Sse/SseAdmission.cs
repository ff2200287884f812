using Microsoft.Extensions.Options;

namespace Herald.Gateway.Sse;

/// <summary>
/// Places for SSE listeners within this gateway's limits, in total (<see cref="SseOptions.MaxConnections"/>) and per
/// client address (<see cref="SseOptions.MaxConnectionsPerIp"/>). A listener holds its place from before its stream
/// begins until it ends, replay included, so a flood of reconnects is refused before it reads the log.
/// </summary>
public sealed class SseAdmission(IOptions<SseOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>False when either limit is reached; every place taken is given back with <see cref="Release"/>.</summary>
    public bool TryReserve(string client)
    {
        lock (_gate)
        {
            var mine = _perClient.GetValueOrDefault(client);
            if (_total >= options.Value.MaxConnections || mine >= options.Value.MaxConnectionsPerIp)
                return false;
            _perClient[client] = mine + 1;
            _total++;
            return true;
        }
    }

    public void Release(string client)
    {
        lock (_gate)
        {
            if (!_perClient.TryGetValue(client, out var count))
                return;
            if (count > 1)
                _perClient[client] = count - 1;
            else
                _perClient.Remove(client);
            _total--;
        }
    }
}
