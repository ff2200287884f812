using System.Collections.Concurrent;
using Herald.Grains.Webhooks;
using Herald.Runtime;
using Herald.Silo.Postgres;
using Herald.Silo.Runtime;
using Herald.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Cluster;

/// <summary>
/// Holds this silo's partition leases. Every heartbeat it renews what it holds, works out its fair share among
/// the live silos that own partitions, releases any surplus (after stopping those grains) and claims what it
/// lacks. A claim raises the partition's epoch, which fences writes by the previous owner. A newly claimed
/// partition's endpoints are woken, so they resume from their committed cursors. It is also the placement:
/// a webhook grain lives where its partition's lease is.
/// </summary>
internal sealed partial class PartitionLeaseManager : BackgroundService, IGrainPlacement, IWriteFence
{
    private readonly ConcurrentDictionary<int, long> _owned = new();

    // Partitions whose endpoints still need their wake-up sweep: kept until a sweep succeeds, so a backlog left
    // by a previous owner is never stranded by a failed sweep.
    private readonly ConcurrentDictionary<int, bool> _needsWake = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly SiloIdentity _identity;
    private readonly ClusterMembership _membership;
    private readonly GrainCatalog _catalog;
    private readonly IEndpointRegistry _registry;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ClusterOptions _options;
    private readonly ILogger<PartitionLeaseManager> _logger;
    private long _renewedAtTicks;

    public PartitionLeaseManager(
        NpgsqlDataSource dataSource,
        SiloIdentity identity,
        ClusterMembership membership,
        GrainCatalog catalog,
        IEndpointRegistry registry,
        IGrainFactory grains,
        PostgresNotifications notifications,
        TimeProvider time,
        IOptions<ClusterOptions> options,
        ILogger<PartitionLeaseManager> logger)
    {
        _dataSource = dataSource;
        _identity = identity;
        _membership = membership;
        _catalog = catalog;
        _registry = registry;
        _grains = grains;
        _time = time;
        _options = options.Value;
        _logger = logger;

        // Notifications lost while the LISTEN connection was down may have been wake-ups: every owned partition
        // is swept again. A changed endpoint is woken directly, in case a message for it was handled before this
        // silo saw the endpoint appear.
        notifications.Reconnected += () =>
        {
            foreach (var partition in _owned.Keys)
                _needsWake[partition] = true;
        };
        notifications.EndpointsChanged += id =>
        {
            if (id is not null && IsLocal(typeof(IWebhookGrain), id))
                _ = _grains.GetGrain<IWebhookGrain>(id).WakeAsync(0);
        };
    }

    public IReadOnlyDictionary<int, long> Owned => _owned;

    public bool IsLocal(Type grainInterface, string key) =>
        grainInterface != typeof(IWebhookGrain) || _owned.ContainsKey(PartitionMap.Of(key));

    public bool TryGetFence(string grainType, string key, out int partition, out string owner, out long epoch)
    {
        owner = _identity.Id;
        epoch = 0;
        partition = -1;
        if (grainType != DeliveryState.GrainType)
            return false;
        partition = PartitionMap.Of(key);
        if (!_owned.TryGetValue(partition, out epoch))
            throw new LeaseLostException($"This silo does not hold partition {partition} of grain {key}.");
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _membership.Joined.WaitAsync(stoppingToken).ConfigureAwait(false);
            Volatile.Write(ref _renewedAtTicks, _time.GetUtcNow().UtcTicks);
            var watchdog = WatchdogAsync(stoppingToken);
            using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
            do
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (StorageErrors.IsUnavailable(exception) && !stoppingToken.IsCancellationRequested)
                {
                    // The watchdog stops the grains if the leases lapse meanwhile; the next tick tries again.
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
            await watchdog.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Runs apart from the tick, which may hang on an unreachable database: once the leases were last renewed
    /// longer ago than their duration, another silo may own them, so their grains stop here.
    /// </summary>
    private async Task WatchdogAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var renewedAt = new DateTimeOffset(Volatile.Read(ref _renewedAtTicks), TimeSpan.Zero);
                if (!_owned.IsEmpty && _time.GetUtcNow() - renewedAt > _options.LeaseDuration - _options.HeartbeatInterval)
                {
                    LeasesLapsed(_logger, _owned.Count);
                    await DropAsync([.. _owned.Keys]).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_owned.IsEmpty)
            return;

        // A clean handoff: grains stop first, then the leases go back, so a successor can claim them at once.
        var held = _owned.Keys.ToArray();
        await DropAsync(held).ConfigureAwait(false);
        try
        {
            await ReleaseAsync(held, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
        {
            // They lapse on their own.
        }
    }

    public async Task TickAsync(CancellationToken cancellationToken)
    {
        // Timed from when the renewal was sent: the lease runs from the database's now() of that statement.
        var sentAt = _time.GetUtcNow();
        var renewed = await RenewAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _renewedAtTicks, sentAt.UtcTicks);
        var lost = _owned.Keys.Where(p => !renewed.ContainsKey(p)).ToArray();
        if (lost.Length > 0)
        {
            LeasesLost(_logger, lost);
            await DropAsync(lost).ConfigureAwait(false);
        }

        foreach (var (partition, epoch) in renewed)
        {
            // Held at the database but not known here (a claim whose answer was lost): it needs its sweep too.
            if (!_owned.ContainsKey(partition))
                _needsWake[partition] = true;
            _owned[partition] = epoch;
        }

        var target = _identity.OwnsPartitions ? await FairShareAsync(cancellationToken).ConfigureAwait(false) : 0;
        if (_owned.Count > target)
        {
            var surplus = _owned.Keys.OrderDescending().Take(_owned.Count - target).ToArray();
            await DropAsync(surplus).ConfigureAwait(false);
            await ReleaseAsync(surplus, cancellationToken).ConfigureAwait(false);
        }
        else if (_owned.Count < target)
        {
            var claimed = await ClaimAsync(target - _owned.Count, cancellationToken).ConfigureAwait(false);
            foreach (var (partition, epoch) in claimed)
                _owned[partition] = epoch;
            if (claimed.Count > 0)
            {
                LeasesClaimed(_logger, claimed.Keys);
                foreach (var partition in claimed.Keys)
                    _needsWake[partition] = true;
            }
        }

        var pending = _needsWake.Keys.Where(_owned.ContainsKey).ToHashSet();
        if (pending.Count > 0)
        {
            await WakeEndpointsAsync(pending, cancellationToken).ConfigureAwait(false);
            foreach (var partition in pending)
                _needsWake.TryRemove(partition, out _);
        }

        // A grain activated here by a call that raced with a handoff is not left running unfenced.
        await _catalog.DeactivateWhereAsync(id => !IsLocal(id.Interface, id.Key)).ConfigureAwait(false);
    }

    private async Task<Dictionary<int, long>> RenewAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "UPDATE herald_partitions SET lease_until = now() + $2::interval WHERE owner = $1 AND lease_until > now() RETURNING partition, epoch");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _identity.Id });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = _options.LeaseDuration });
        return await ReadLeasesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Partitions divided evenly among the live silos that own partitions, ordered by id; the first few take
    /// one more when it does not divide. Every silo computes the same answer, so they converge.
    /// </summary>
    private async Task<int> FairShareAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT id FROM herald_silos WHERE status = 'active' AND owns_partitions ORDER BY id");
        var live = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                live.Add(reader.GetString(0));
        }

        var index = live.IndexOf(_identity.Id);
        if (index < 0)
            return 0;
        return (PartitionMap.Count / live.Count) + (index < PartitionMap.Count % live.Count ? 1 : 0);
    }

    private async Task<Dictionary<int, long>> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            """
            UPDATE herald_partitions p SET owner = $1, epoch = p.epoch + 1, lease_until = now() + $2::interval
            FROM (
                SELECT partition FROM herald_partitions
                WHERE owner IS NULL OR lease_until < now() OR owner NOT IN (SELECT id FROM herald_silos WHERE status = 'active')
                ORDER BY partition LIMIT $3 FOR UPDATE SKIP LOCKED) free
            WHERE p.partition = free.partition
            RETURNING p.partition, p.epoch
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _identity.Id });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = _options.LeaseDuration });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        return await ReadLeasesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(int[] partitions, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "UPDATE herald_partitions SET owner = NULL, lease_until = '-infinity' WHERE partition = ANY($1) AND owner = $2");
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = partitions });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _identity.Id });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops this silo's grains in the partitions and forgets them; writes by stragglers are fenced.</summary>
    private async Task DropAsync(int[] partitions)
    {
        foreach (var partition in partitions)
            _owned.TryRemove(partition, out _);
        var dropped = partitions.ToHashSet();
        await _catalog.DeactivateWhereAsync(id => id.Interface == typeof(IWebhookGrain) && dropped.Contains(PartitionMap.Of(id.Key))).ConfigureAwait(false);
    }

    private async Task WakeEndpointsAsync(HashSet<int> partitions, CancellationToken cancellationToken)
    {
        foreach (var endpoint in await _registry.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (endpoint.Enabled && partitions.Contains(PartitionMap.Of(endpoint.Id)))
                await _grains.GetGrain<IWebhookGrain>(endpoint.Id).WakeAsync(0).ConfigureAwait(false);
        }
    }

    private static async Task<Dictionary<int, long>> ReadLeasesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var leases = new Dictionary<int, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            leases[reader.GetInt32(0)] = reader.GetInt64(1);
        return leases;
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Claimed partitions {Partitions}")]
    private static partial void LeasesClaimed(ILogger logger, IEnumerable<int> partitions);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Lost partitions {Partitions} to another silo")]
    private static partial void LeasesLost(ILogger logger, IEnumerable<int> partitions);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Could not renew {Count} partition leases in time; stopped their grains")]
    private static partial void LeasesLapsed(ILogger logger, int count);
}
