using Herald.Contracts;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// Group reads of the log: when a push wakes a thousand webhook grains, each asks for "the messages after my
/// cursor", and almost all ask the same thing. Reads that are waiting are sent as one round trip with one
/// statement per distinct (after, limit), and readers that asked the same share the answer. A read only ever
/// joins a batch that has not been sent yet, so every answer is at least as fresh as the moment it was asked for.
/// </summary>
internal sealed class PostgresLogReadBatcher(NpgsqlDataSource dataSource)
{
    private const int MaxStatements = 256;
    private readonly Lock _gate = new();
    private Dictionary<(long After, int Limit), TaskCompletionSource<IReadOnlyList<LogEntry>>> _waiting = [];
    private bool _draining;

    public Task<IReadOnlyList<LogEntry>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<LogEntry>> answer;
        lock (_gate)
        {
            if (!_waiting.TryGetValue((afterSeq, maxCount), out var pending))
                _waiting[(afterSeq, maxCount)] = pending = new(TaskCreationOptions.RunContinuationsAsynchronously);
            answer = pending.Task;
            if (!_draining)
            {
                _draining = true;
                _ = Task.Run(DrainAsync, CancellationToken.None);
            }
        }

        // A cancelled reader stops waiting; the shared statement still runs for the others.
        return answer.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<KeyValuePair<(long After, int Limit), TaskCompletionSource<IReadOnlyList<LogEntry>>>> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _draining = false;
                    return;
                }

                batch = _waiting.Take(MaxStatements).ToList();
                foreach (var (key, _) in batch)
                    _waiting.Remove(key);
            }

            await SendAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(List<KeyValuePair<(long After, int Limit), TaskCompletionSource<IReadOnlyList<LogEntry>>>> batch)
    {
        try
        {
            await using var command = dataSource.CreateBatch();
            foreach (var ((after, limit), _) in batch)
            {
                var statement = new NpgsqlBatchCommand($"SELECT {PostgresMessageLog.Columns} FROM herald_log WHERE seq > $1 ORDER BY seq LIMIT $2");
                statement.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
                statement.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
                command.BatchCommands.Add(statement);
            }

            var answers = new List<IReadOnlyList<LogEntry>>(batch.Count);
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false))
            {
                do
                {
                    var entries = new List<LogEntry>();
                    while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                        entries.Add(PostgresMessageLog.Read(reader));
                    answers.Add(entries);
                }
                while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false));
            }

            for (var i = 0; i < batch.Count; i++)
                batch[i].Value.TrySetResult(answers[i]);
        }
        catch (Exception exception)
        {
            // Every reader of this batch sees the failure, as it would have seen its own query's.
            foreach (var (_, pending) in batch)
                pending.TrySetException(exception);
        }
    }
}
