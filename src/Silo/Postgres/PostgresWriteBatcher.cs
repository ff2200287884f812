using System.Threading.Channels;
using Herald.Contracts;
using Herald.Silo.Cluster;
using Herald.Silo.Storage;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Silo.Postgres;

/// <summary>
/// Group commit for the delivery hot path: grain-state writes and attempt-log inserts from every grain of this
/// process are queued, and whatever is pending goes to PostgreSQL as one round trip (a multi-row upsert with
/// the fence checked per row, and a multi-row insert). One reader keeps the queue's order, so a grain's later state
/// always lands after its earlier one; under load, a thousand deliveries cost a handful of round trips.
/// </summary>
internal sealed class PostgresWriteBatcher(NpgsqlDataSource dataSource, TimeSpan linger) : BackgroundService, IStorageBacklog
{
    private const int MaxBatch = 1000;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private int _pending;

    public int PendingWrites => Volatile.Read(ref _pending);

    public Task WriteStateAsync(string grainType, string key, string json, (int Partition, string Owner, long Epoch)? fence)
    {
        var write = new StateWrite(grainType, key, json, fence);
        return Enqueue(write);
    }

    public Task AppendAttemptAsync(DeliveryAttempt attempt) => Enqueue(new AttemptWrite(attempt));

    private Task Enqueue(Pending pending)
    {
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
        var batch = new List<Pending>(MaxBatch);
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

    private async Task FlushAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        // A grain's writes are not awaited on the delivery path, so a key often appears several times: the newest
        // write wins (the queue keeps order), and an upsert may not touch one row twice in a statement.
        var newest = new Dictionary<(string, string), StateWrite>();
        var attempts = new List<DeliveryAttempt>();
        foreach (var pending in batch)
        {
            if (pending is StateWrite state)
                newest[(state.GrainType, state.Key)] = state;
            else if (pending is AttemptWrite attempt)
                attempts.Add(attempt.Attempt);
        }

        var fenced = new List<StateWrite>();
        var unfenced = new List<StateWrite>();
        foreach (var state in newest.Values)
            (state.Fence is null ? unfenced : fenced).Add(state);

        try
        {
            await using var command = dataSource.CreateBatch();
            if (unfenced.Count > 0)
                command.BatchCommands.Add(UnfencedUpsert(unfenced));
            if (fenced.Count > 0)
                command.BatchCommands.Add(FencedUpsert(fenced));
            if (attempts.Count > 0)
                command.BatchCommands.Add(AttemptInsert(attempts));

            var written = new HashSet<(string, string)>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                do
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        written.Add((reader.GetString(0), reader.GetString(1)));
                }
                while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
            }

            foreach (var state in fenced)
            {
                if (written.Contains((state.GrainType, state.Key)))
                    state.Done.TrySetResult();
                else
                    state.Done.TrySetException(new LeaseLostException(
                        $"The write of {state.GrainType} {state.Key} was fenced: partition {state.Fence!.Value.Partition} is no longer held by {state.Fence.Value.Owner} at epoch {state.Fence.Value.Epoch}."));
            }

            // The rest succeeded, superseded states included: their newer state for the same grain was written.
            foreach (var pending in batch)
            {
                if (pending is not StateWrite { Fence: not null } state || !ReferenceEquals(newest[(state.GrainType, state.Key)], state))
                    pending.Done.TrySetResult();
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing of this batch was committed (one implicit transaction); every writer sees the failure and retries.
            foreach (var pending in batch)
                pending.Done.TrySetException(exception);
        }
    }

    private static NpgsqlBatchCommand UnfencedUpsert(List<StateWrite> states)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO herald_grain_state (grain_type, grain_key, state) " +
            "SELECT v.t, v.k, v.s::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS v(t, k, s) " +
            "ON CONFLICT (grain_type, grain_key) DO UPDATE SET state = excluded.state, updated_at = now() RETURNING grain_type, grain_key");
        command.Parameters.Add(Text(states.Select(s => s.GrainType)));
        command.Parameters.Add(Text(states.Select(s => s.Key)));
        command.Parameters.Add(Text(states.Select(s => s.Json)));
        return command;
    }

    private static NpgsqlBatchCommand FencedUpsert(List<StateWrite> states)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO herald_grain_state (grain_type, grain_key, state) " +
            "SELECT v.t, v.k, v.s::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[]) AS v(t, k, s, p, o, e) " +
            "JOIN herald_partitions hp ON hp.partition = v.p AND hp.owner = v.o AND hp.epoch = v.e AND hp.lease_until > now() " +
            // Locks the lease rows it checked: a concurrent claim waits for this write, or this write waits for
            // the claim and then re-checks the new owner and epoch, so a stale write can never land after a claim.
            "FOR SHARE OF hp " +
            "ON CONFLICT (grain_type, grain_key) DO UPDATE SET state = excluded.state, updated_at = now() RETURNING grain_type, grain_key");
        command.Parameters.Add(Text(states.Select(s => s.GrainType)));
        command.Parameters.Add(Text(states.Select(s => s.Key)));
        command.Parameters.Add(Text(states.Select(s => s.Json)));
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = states.Select(s => s.Fence!.Value.Partition).ToArray() });
        command.Parameters.Add(Text(states.Select(s => s.Fence!.Value.Owner)));
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = states.Select(s => s.Fence!.Value.Epoch).ToArray() });
        return command;
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

    private abstract class Pending
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class StateWrite(string grainType, string key, string json, (int Partition, string Owner, long Epoch)? fence) : Pending
    {
        public string GrainType { get; } = grainType;

        public string Key { get; } = key;

        public string Json { get; } = json;

        public (int Partition, string Owner, long Epoch)? Fence { get; } = fence;
    }

    private sealed class AttemptWrite(DeliveryAttempt attempt) : Pending
    {
        public DeliveryAttempt Attempt { get; } = attempt;
    }
}
