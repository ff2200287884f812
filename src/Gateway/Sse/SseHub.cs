using Herald.Contracts;
using Herald.MessageLog;
using Herald.Infrastructure.Cluster;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Sse;

/// <summary>
/// Hands each log entry, in order and formatted once, to every matching listener on this gateway. New entries are
/// announced on an Orleans stream; the log itself (its append notification, and reads of any gap) backs it up, so an
/// announcement lost with a silo delays nothing.
/// A listener attaches at a known sequence: everything after it arrives live, everything up to it the listener
/// replays from the log itself, so a reconnect with Last-Event-ID has no gap and no duplicate.
/// </summary>
public sealed partial class SseHub(IMessageLog log, IClusterClient cluster, IOptions<SseOptions> options, IHostApplicationLifetime lifetime, ILogger<SseHub> logger)
    : BackgroundService, ILocalConnectionCount
{
    private TaskCompletionSource _gapAnnounced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly SseFrame KeepAliveFrame = new(0, SseFrames.KeepAlive);
    private readonly Lock _gate = new();
    private readonly HashSet<SseConnection> _connections = [];

    // The listeners by topic filter, kept as they attach and detach, so that a push counts the listeners its topic
    // reaches over the distinct filters (a handful) rather than over every connection.
    private readonly Dictionary<string, (TopicFilter Filter, int Count)> _byFilter = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dispatched;
    private bool _stopping;

    int ILocalConnectionCount.Count => ConnectionCount;

    public IReadOnlyDictionary<string, int> CountByFilter()
    {
        lock (_gate)
            return _byFilter.ToDictionary(f => f.Key, f => f.Value.Count, StringComparer.Ordinal);
    }

    public int CountMatching(string topic)
    {
        lock (_gate)
        {
            var count = 0;
            foreach (var (filter, listeners) in _byFilter.Values)
            {
                if (filter.Matches(topic))
                    count += listeners;
            }

            return count;
        }
    }

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
                return _connections.Count;
        }
    }

    /// <summary>Attaches a listener. Returns the sequence it must replay up to; later messages arrive live.</summary>
    public async Task<long> AttachAsync(SseConnection connection, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_stopping)
                connection.Close();
            else if (_connections.Add(connection))
                CountFilterLocked(connection, +1);
            return _dispatched;
        }
    }

    public void Detach(SseConnection connection)
    {
        lock (_gate)
        {
            if (_connections.Remove(connection))
                CountFilterLocked(connection, -1);
        }
    }

    private void CountFilterLocked(SseConnection connection, int change)
    {
        var key = connection.FilterKey;
        var count = (_byFilter.TryGetValue(key, out var known) ? known.Count : 0) + change;
        if (count > 0)
            _byFilter[key] = (connection.Filter, count);
        else
            _byFilter.Remove(key);
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeepAliveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    foreach (var connection in _connections)
                        connection.Offer(KeepAliveFrame);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Ends every listener's stream on this gateway, as an operator does before draining it. Each client
    /// reconnects (to this gateway or another) with Last-Event-ID and replays what it missed, so nothing is lost.
    /// </summary>
    public int DisconnectAll()
    {
        lock (_gate)
        {
            // Out of the set at once: a frame offered to a closed connection would count as an overflow.
            var count = _connections.Count;
            foreach (var connection in _connections)
                connection.Close();
            _connections.Clear();
            _byFilter.Clear();
            return count;
        }
    }

    private void CloseAll()
    {
        lock (_gate)
            _stopping = true;
        DisconnectAll();
    }
}
