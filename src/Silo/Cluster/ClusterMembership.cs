using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Herald.Silo.Postgres;
using Herald.Silo.Storage;

namespace Herald.Silo.Cluster;

/// <summary>
/// This process's row in <c>herald_silos</c>: registered once the server listens, heartbeated, and marked left at
/// a clean stop. It also finds dead peers: a peer whose heartbeats stopped, or at once one whose database
/// session ended (each silo holds an advisory lock named after itself for as long as its session lives).
/// </summary>
internal sealed partial class ClusterMembership(
    NpgsqlDataSource dataSource,
    SiloIdentity identity,
    ILocalConnectionCount connections,
    AttemptCounter attempts,
    IStorageBacklog backlog,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    IOptions<ClusterOptions> options,
    ILogger<ClusterMembership> logger) : BackgroundService
{
    private const int LockClass = 72657961;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when this process is registered and heartbeating.</summary>
    public Task Joined => _joined.Task;

    public bool IsJoined { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        identity.Address = options.Value.AdvertisedAddress ?? ListeningAddress();

        var delay = options.Value.HeartbeatInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A dedicated session: its advisory lock is this silo's proof of life for the others.
                await using var session = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                await ExecuteAsync(session, $"SELECT pg_advisory_lock({LockClass}, hashtext($1))", identity.Id, stoppingToken).ConfigureAwait(false);
                await RegisterAsync(session, stoppingToken).ConfigureAwait(false);
                IsJoined = true;
                _joined.TrySetResult();
                LogJoined(logger, identity.Id, identity.Role, identity.Address);
                delay = options.Value.HeartbeatInterval;

                using var timer = new PeriodicTimer(options.Value.HeartbeatInterval);
                while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                    await HeartbeatAsync(session, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
            {
                IsJoined = false;
                PostgresLog.DatabaseUnavailable(logger, exception, delay);
                await Task.Delay(delay, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
                // Back quickly: peers declare a silo dead after a few silent heartbeats.
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.HeartbeatInterval.Ticks * 2));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = dataSource.CreateCommand("UPDATE herald_silos SET status = 'left', heartbeat_at = now(), sse_connections = 0, pending_storage_writes = 0 WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Id });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
        {
            // The others find out from the missing heartbeats.
        }
    }

    private async Task RegisterAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO herald_silos (id, role, address, owns_partitions, status, sse_connections, attempts_succeeded, attempts_failed, pending_storage_writes) " +
            "VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8) " +
            "ON CONFLICT (id) DO UPDATE SET role = excluded.role, address = excluded.address, owns_partitions = excluded.owns_partitions, " +
            "status = 'active', heartbeat_at = now(), sse_connections = excluded.sse_connections, " +
            "attempts_succeeded = excluded.attempts_succeeded, attempts_failed = excluded.attempts_failed, pending_storage_writes = excluded.pending_storage_writes", session);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Role });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Address });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = identity.OwnsPartitions });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = connections.Count });
        AddTotals(command);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What every heartbeat publishes besides liveness: attempt totals (for rates) and the storage backlog.</summary>
    private void AddTotals(NpgsqlCommand command)
    {
        var totals = attempts.Totals;
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = totals.Succeeded });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = totals.Failed });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = backlog.PendingWrites });
    }

    private async Task HeartbeatAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        await using (var beat = new NpgsqlCommand(
            "UPDATE herald_silos SET heartbeat_at = now(), status = 'active', sse_connections = $2, attempts_succeeded = $3, attempts_failed = $4, " +
            "pending_storage_writes = $5 WHERE id = $1", session))
        {
            beat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Id });
            beat.Parameters.Add(new NpgsqlParameter<int> { TypedValue = connections.Count });
            AddTotals(beat);
            if (await beat.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                await RegisterAsync(session, cancellationToken).ConfigureAwait(false);
        }

        // Peers whose session is gone (their lock can be taken) are dead now; peers that stopped beating are too.
        var peers = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT id FROM herald_silos WHERE status = 'active' AND id <> $1", session))
        {
            list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Id });
            await using var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                peers.Add(reader.GetString(0));
        }

        foreach (var peer in peers)
        {
            await using var probe = new NpgsqlCommand(
                $"SELECT CASE WHEN pg_try_advisory_lock({LockClass}, hashtext($1)) THEN pg_advisory_unlock({LockClass}, hashtext($1)) ELSE false END", session);
            probe.Parameters.Add(new NpgsqlParameter<string> { TypedValue = peer });
            // A free lock alone is not enough: after a PostgreSQL restart every session is new, and peers need a
            // heartbeat or two to reconnect. A peer is dead when its session is gone and it has stopped beating.
            if (await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                await MarkDeadAsync(session, peer, options.Value.HeartbeatInterval * 3, cancellationToken).ConfigureAwait(false);
        }

        await using (var stale = new NpgsqlCommand(
            "UPDATE herald_silos SET status = 'dead' WHERE status = 'active' AND heartbeat_at < now() - $1::interval RETURNING id", session))
        {
            stale.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.Value.LeaseDuration });
            await using var reader = await stale.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                PeerDead(logger, reader.GetString(0));
        }

        await using var cleanup = new NpgsqlCommand("DELETE FROM herald_silos WHERE status IN ('dead', 'left') AND heartbeat_at < now() - $1::interval", session);
        cleanup.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.Value.DeadRetention });
        await cleanup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task MarkDeadAsync(NpgsqlConnection session, string peer, TimeSpan silentFor, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE herald_silos SET status = 'dead' WHERE id = $1 AND status = 'active' AND heartbeat_at < now() - $2::interval", session);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = peer });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = silentFor });
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            PeerDead(logger, peer);
    }

    /// <summary>
    /// The first address the server listens on. A wildcard binding (containers bind 0.0.0.0) is advertised as this
    /// machine's first non-loopback IPv4 address, which is what peers in Docker or Kubernetes can reach.
    /// </summary>
    private string ListeningAddress()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses?.FirstOrDefault() is not { } first || !Uri.TryCreate(first.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal)
                .Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            return string.Empty;
        if (uri.Host is not ("0.0.0.0" or "[::]" or "::"))
            return uri.GetLeftPart(UriPartial.Authority);

        var host = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))?.ToString() ?? "127.0.0.1";
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }

    private static async Task ExecuteAsync(NpgsqlConnection session, string sql, string parameter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, session);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Joined the cluster as {SiloId} ({Role}) at {Address}")]
    private static partial void LogJoined(ILogger logger, string siloId, string role, string address);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Silo {SiloId} is dead")]
    private static partial void PeerDead(ILogger logger, string siloId);
}
