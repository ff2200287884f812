using System.Threading.Channels;
using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// Group commit for the delivery hot path: attempt-log inserts from every grain of this process are queued, and
/// whatever is pending goes to PostgreSQL as one multi-row insert. Under load, a thousand deliveries cost a handful
/// of round trips.
/// </summary>
internal sealed class PostgresWriteBatcher(NpgsqlDataSource dataSource, TimeSpan linger) : BackgroundService, IAttemptWriteBacklog
{
    private const int MaxBatch = 1000;
    private readonly Channel<AttemptWrite> _queue = Channel.CreateUnbounded<AttemptWrite>(new UnboundedChannelOptions { SingleReader = true });
    private int _pending;

    public int PendingWrites => Volatile.Read(ref _pending);

    public Task AppendAttemptAsync(DeliveryAttempt attempt)
    {
        var pending = new AttemptWrite(attempt);
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _pending);
            pending.Done.TrySetException(new ObjectDisposedException(nameof(PostgresWriteBatcher)));
        }

        return pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AttemptWrite>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                if (linger > TimeSpan.Zero && Volatile.Read(ref _pending) < MaxBatch)
                    await Task.Delay(linger, stoppingToken).ConfigureAwait(false);
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
                    batch.Add(pending);
                // Cancelled mid-flush (shutdown), the batch stays here and the writers below hear of it.
                await FlushAsync(batch, stoppingToken).ConfigureAwait(false);
                Interlocked.Add(ref _pending, -batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var pending))
                batch.Add(pending);
            foreach (var pending in batch)
                pending.Done.TrySetException(new OperationCanceledException("Herald is stopping; the write was not made."));
            Interlocked.Add(ref _pending, -batch.Count);
        }
    }

    private async Task FlushAsync(List<AttemptWrite> batch, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateBatch();
            command.BatchCommands.Add(AttemptInsert(batch.Select(b => b.Attempt).ToList()));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            foreach (var pending in batch)
                pending.Done.TrySetResult();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing of this batch was committed (one statement); every writer sees the failure.
            foreach (var pending in batch)
                pending.Done.TrySetException(exception);
        }
    }

    private static NpgsqlBatchCommand AttemptInsert(List<DeliveryAttempt> attempts)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO herald_attempts (endpoint_id, message_id, attempt, at, status_code, latency_ms, error, response_body, outcome, next_retry_at) " +
            "SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::timestamptz[], $5::int[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])");
        command.Parameters.Add(Text(attempts.Select(a => a.EndpointId)));
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = attempts.Select(a => a.MessageId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = attempts.Select(a => a.Attempt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = attempts.Select(a => a.Timestamp.ToUniversalTime()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = attempts.Select(a => a.StatusCode).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = attempts.Select(a => a.LatencyMs).ToArray() });
        command.Parameters.Add(Text(attempts.Select(a => a.Error)));
        command.Parameters.Add(Text(attempts.Select(a => StripNul(a.ResponseBody))));
        command.Parameters.Add(Text(attempts.Select(a => a.Outcome)));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]> { TypedValue = attempts.Select(a => a.NextRetryAt?.ToUniversalTime()).ToArray() });
        return command;
    }

    private static NpgsqlParameter<string?[]> Text(IEnumerable<string?> values) =>
        new() { TypedValue = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    // PostgreSQL text cannot hold NUL; a receiver's binary response must not make the attempt unrecordable.
    private static string? StripNul(string? text) => text?.Replace("\0", string.Empty, StringComparison.Ordinal);

    private sealed class AttemptWrite(DeliveryAttempt attempt)
    {
        public DeliveryAttempt Attempt { get; } = attempt;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
