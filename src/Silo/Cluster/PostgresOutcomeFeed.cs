using System.Globalization;
using System.Threading.Channels;
using Herald.Silo.Postgres;
using Herald.Silo.Streams;
using Herald.Streams;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Herald.Silo.Cluster;

/// <summary>
/// First-attempt outcomes across processes: a push waits on the gateway that took it, while the grains deliver
/// on whichever silos hold their partitions. Reports go to local watches at once and to the other processes
/// by NOTIFY, batched into one statement per flush.
/// </summary>
internal sealed class PostgresOutcomeFeed : BackgroundService, IDeliveryOutcomeFeed
{
    public const string Channel = "herald_outcomes";
    private const int MaxBatch = 500;

    private readonly MemoryDeliveryOutcomeFeed _local = new();
    private readonly Channel<string> _outbox = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource _dataSource;
    private readonly SiloIdentity _identity;

    public PostgresOutcomeFeed(NpgsqlDataSource dataSource, SiloIdentity identity, PostgresNotifications notifications)
    {
        _dataSource = dataSource;
        _identity = identity;
        notifications.OutcomeReported += OnRemoteReport;
    }

    public IOutcomeWatch Watch(long seq, IReadOnlyCollection<string> endpointIds) => _local.Watch(seq, endpointIds);

    public void ReportFirstAttempt(long seq, string endpointId, bool succeeded)
    {
        _local.ReportFirstAttempt(seq, endpointId, succeeded);
        _outbox.Writer.TryWrite(string.Create(CultureInfo.InvariantCulture, $"{_identity.Id}|{seq}|{(succeeded ? 1 : 0)}|{endpointId}"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<string>(MaxBatch);
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && _outbox.Reader.TryRead(out var report))
                    batch.Add(report);
                try
                {
                    await using var command = _dataSource.CreateCommand($"SELECT pg_notify('{Channel}', r) FROM unnest($1::text[]) AS r");
                    command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = batch.ToArray() });
                    await command.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (StorageErrors.IsUnavailable(exception) && !stoppingToken.IsCancellationRequested)
                {
                    // Outcomes only speed up a waiting push's answer; a lost one makes it wait out its timeout.
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnRemoteReport(string payload)
    {
        var parts = payload.Split('|', 4);
        if (parts.Length == 4 && parts[0] != _identity.Id && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var seq))
            _local.ReportFirstAttempt(seq, parts[3], parts[2] == "1");
    }
}
