using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Postgres;

/// <summary>
/// Until partition placement exists, exactly one Herald process may deliver from a database: two would each
/// activate the same webhook grains and race on their cursors. This holds a session advisory lock for the
/// life of the process; a second process fails to start with a message that says why, and a process that
/// loses the lock to another stops rather than deliver alongside it.
/// </summary>
internal sealed partial class SingleWriterLease(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<SingleWriterLease> logger) : IHostedService, IAsyncDisposable
{
    private const long LeaseKey = 7265796102;
    private NpgsqlConnection? _connection;
    private CancellationTokenSource? _stop;
    private Task _watch = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await TryAcquireAsync(cancellationToken))
        {
            throw new InvalidOperationException(
                "Another Herald process already delivers from this PostgreSQL database. Running several Silo or Gateway " +
                "processes on one database needs partition placement, which this version does not have yet: run one process.");
        }

        _stop = new CancellationTokenSource();
        _watch = WatchAsync(_stop.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is not null)
            await _stop.CancelAsync();
        await _watch.ContinueWith(static _ => { }, TaskScheduler.Default);
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connection = null;
        _stop?.Dispose();
        _stop = null;
    }

    private async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LeaseKey})", _connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // The lock lives as long as its session: if the session dies (PostgreSQL restarted), take it again.
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.FallbackPollInterval, cancellationToken);
                await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                await ping.ExecuteScalarAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
            {
                if (await ReacquireAsync(cancellationToken) is false)
                {
                    LeaseLost(logger);
                    lifetime.StopApplication();
                    return;
                }
            }
        }
    }

    private async Task<bool?> ReacquireAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                return await TryAcquireAsync(cancellationToken);
            }
            catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
            {
                await Task.Delay(delay, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxReconnectDelay.Ticks));
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Critical, Message = "Another Herald process took the delivery lease while this one was disconnected; stopping")]
    private static partial void LeaseLost(ILogger logger);
}
