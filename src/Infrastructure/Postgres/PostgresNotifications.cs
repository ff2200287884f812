using Herald.Infrastructure.MessageLog;
using Herald.Infrastructure.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// One LISTEN connection per process. It tracks the highest log sequence known to be committed and wakes
/// whoever waits for a newer one; it also tells the registry when endpoints changed in another process. When
/// the connection drops it reconnects with backoff and, only meanwhile, polls the log head instead.
/// </summary>
internal sealed class PostgresNotifications(NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, ILogger<PostgresNotifications> logger) : BackgroundService, IStorageReconnects
{
    public const string LogChannel = "herald_log";
    public const string EndpointsChannel = "herald_endpoints";
    public const string PrunedChannel = "herald_pruned";

    private readonly LogHead _head = new();

    /// <summary>Raised when an endpoint changed anywhere in the cluster, with its id (null: anything may have changed).</summary>
    public event Action<string?>? EndpointsChanged;

    /// <summary>
    /// Raised each time the LISTEN connection is (re)established: notifications sent while it was down are lost,
    /// so listeners catch up on whatever they may have missed.
    /// </summary>
    public event Action? Reconnected;

    /// <summary>Raised when retention pruned the log anywhere in the cluster, with the sequence it pruned through.</summary>
    public event Action<long>? Pruned;

    public async ValueTask WaitForHeadAboveAsync(long seq, CancellationToken cancellationToken)
    {
        while (_head.Known == LogHead.Unknown)
            await RefreshHeadAsync(cancellationToken).ConfigureAwait(false);
        await _head.WaitAboveAsync(seq, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The highest log sequence this process knows to be committed (its own appends and NOTIFY); -1 before the first.</summary>
    public long KnownHead => _head.Known;

    /// <summary>Called by this process's own appends, so local waiters do not depend on the round trip of NOTIFY.</summary>
    public void Advance(long seq) => _head.Advance(seq);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {LogChannel}; LISTEN {EndpointsChannel}; LISTEN {PrunedChannel};", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);

                // Whatever was committed while we were not listening.
                await RefreshHeadAsync(stoppingToken).ConfigureAwait(false);
                EndpointsChanged?.Invoke(null);
                Reconnected?.Invoke();
                PostgresLogMessages.ListenEstablished(logger);
                delay = TimeSpan.FromMilliseconds(100);
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
            {
                PostgresLogMessages.ListenLost(logger, exception.Message, options.Value.FallbackPollInterval);
                await PollUntilAsync(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task PollUntilAsync(TimeSpan reconnectDelay, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + reconnectDelay;
        try
        {
            do
            {
                try
                {
                    await RefreshHeadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
                {
                    // Still down; the reconnect loop logs it.
                }

                await Task.Delay(options.Value.FallbackPollInterval, cancellationToken).ConfigureAwait(false);
            }
            while (DateTime.UtcNow < until);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshHeadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT greatest(coalesce((SELECT max(seq) FROM herald_log), 0), (SELECT pruned_through FROM herald_log_meta))");
        Advance((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs args)
    {
        if (args.Channel == LogChannel && long.TryParse(args.Payload, out var seq))
            Advance(seq);
        else if (args.Channel == EndpointsChannel)
            EndpointsChanged?.Invoke(args.Payload);
        else if (args.Channel == PrunedChannel && long.TryParse(args.Payload, out var through))
            Pruned?.Invoke(through);
    }
}
