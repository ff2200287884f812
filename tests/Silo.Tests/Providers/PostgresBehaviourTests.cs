using Herald.Contracts;
using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.MessageLog;
using Herald.Silo.Tests.Infrastructure;
using Herald.MessageLog;
using Herald.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Tests.Providers;

public sealed class PostgresBehaviourTests
{
    [Fact]
    public async Task Concurrent_migrations_all_succeed_and_apply_each_script_once()
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync();

        var migrators = Enumerable.Range(0, 5).Select(async _ =>
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await new SchemaMigrator(dataSource, Options.Create(PostgresProviderSet.FastOptions), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        });
        await Task.WhenAll(migrators);

        await using var check = NpgsqlDataSource.Create(connectionString);
        await using var command = check.CreateCommand("SELECT count(*), count(DISTINCT version) FROM herald_schema_version");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(SchemaMigrator.Scripts.Count, reader.GetInt64(0));
        Assert.Equal(SchemaMigrator.Scripts.Count, reader.GetInt64(1));
    }

    [Fact]
    public async Task Upgrading_keeps_the_subscriptions_made_before_owners_under_the_open_hubs_owner()
    {
        var connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        // A database as the release before owners left it: every script up to version 7, and a subscription.
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using (var schema = new NpgsqlCommand("CREATE TABLE herald_schema_version (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", connection))
                await schema.ExecuteNonQueryAsync();
            foreach (var (version, name, sql) in SchemaMigrator.Scripts.Where(s => s.Version <= 7))
            {
                await using (var apply = new NpgsqlCommand(sql, connection))
                    await apply.ExecuteNonQueryAsync();
                await using var record = new NpgsqlCommand($"INSERT INTO herald_schema_version (version, name) VALUES ({version}, '{name}')", connection);
                await record.ExecuteNonQueryAsync();
            }

            await using var old = new NpgsqlCommand("INSERT INTO herald_subscriptions (name, sources, cursor) VALUES ('assistant-sub', '{github}', 42)", connection);
            await old.ExecuteNonQueryAsync();
        }

        await new SchemaMigrator(dataSource, Options.Create(PostgresProviderSet.FastOptions), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        var store = new PostgresSubscriptionStore(dataSource, TimeProvider.System);
        var kept = await store.GetAsync("", "assistant-sub");
        Assert.Equal(42, kept!.Cursor);
        var (mine, created) = await store.UpsertAsync(new EventSubscription("assistant-sub", ["stripe"], null, 0, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "key-read"));
        Assert.True(created, "a key's subscription of the same name is its own");
        Assert.Equal(2, await store.CountAsync());
    }

    [Fact]
    public async Task A_cached_log_tail_never_hides_an_entry_another_process_appended()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        await using var otherSource = NpgsqlDataSource.Create(set.ConnectionString);
        var otherNotifications = new PostgresNotifications(otherSource, Options.Create(PostgresProviderSet.FastOptions), NullLogger<PostgresNotifications>.Instance);
        await otherNotifications.StartAsync(CancellationToken.None);
        try
        {
            var other = new PostgresMessageLog(otherSource, otherNotifications, Options.Create(PostgresProviderSet.FastOptions));
            var first = await set.Log.AppendAsync("default", "one");
            var second = await set.Log.AppendAsync("default", "two");
            Assert.Equal([first.Seq, second.Seq], (await set.Log.ReadAsync(0, 10)).Select(m => m.Seq).ToArray());

            // The other process appends; once this one has heard of it, no read leaves it out.
            var third = await other.AppendAsync("default", "three");
            await set.Log.WaitForAppendAsync(second.Seq, CancellationToken.None).AsTask().WaitAsync(Eventually.Timeout);
            Assert.Equal([second.Seq, third.Seq], (await set.Log.ReadAsync(first.Seq, 10)).Select(m => m.Seq).ToArray());
            Assert.Equal([third.Seq], (await set.Log.ReadAsync(second.Seq, 10)).Select(m => m.Seq).ToArray());
            Assert.Equal("three", (await set.Log.ReadAsync(second.Seq, 1))[0].Message);
        }
        finally
        {
            await otherNotifications.StopAsync(CancellationToken.None);
            otherNotifications.Dispose();
        }
    }

    [Fact]
    public async Task What_retention_prunes_is_not_served_from_the_cached_log_tail()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        for (var i = 1; i <= 6; i++)
            await set.Log.AppendAsync("default", $"m{i}");
        var cached = await set.Log.ReadAsync(0, 100);
        Assert.Equal(6, cached.Count);

        await set.Pruner(new LogOptions { RetentionCount = 2 }).PruneOnceAsync(CancellationToken.None);
        var bounds = await set.Log.GetBoundsAsync();

        // The prune's notice reaches the log's cache; from then on reads start at what is retained.
        await Eventually.TrueAsync(async () => (await set.Log.ReadAsync(0, 100))[0].Seq == bounds.FirstRetained, "reads start at the first retained entry");
        Assert.Equal([cached[4].Seq, cached[5].Seq], (await set.Log.ReadAsync(cached[0].Seq, 100)).Select(m => m.Seq).ToArray());
    }

    [Fact]
    public async Task Pruning_keeps_the_newest_entries_and_records_how_far_it_went()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        for (var i = 1; i <= 10; i++)
            await set.Log.AppendAsync("default", $"m{i}");

        await set.Pruner(new LogOptions { RetentionCount = 3 }).PruneOnceAsync(CancellationToken.None);

        var bounds = await set.Log.GetBoundsAsync();
        Assert.Equal(new LogBounds(8, 10), bounds);
        var retained = await set.Log.ReadAsync(0, 100);
        Assert.Equal(new long[] { 8, 9, 10 }, retained.Select(m => m.Seq).ToArray());
    }

    [Fact]
    public async Task A_rolled_back_append_leaves_a_hole_that_is_not_mistaken_for_pruning()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        await set.Log.AppendAsync("default", "kept");
        await using (var connection = await set.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var command = new NpgsqlCommand("SELECT * FROM herald_append('default', 'rolled back')", connection, transaction);
            await command.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        var next = await set.Log.AppendAsync("default", "after the hole");

        Assert.Equal(3, next.Seq);
        Assert.Equal(1, (await set.Log.GetBoundsAsync()).FirstRetained);
        var entries = await set.Log.ReadAsync(0, 10);
        Assert.Equal(new long[] { 1, 3 }, entries.Select(m => m.Seq).ToArray());
    }

    [Fact]
    public async Task An_append_by_another_process_wakes_waiters_through_listen()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        var head = (await set.Log.GetBoundsAsync()).Head;
        await Eventually.TrueAsync(async () =>
        {
            // LISTEN is set up asynchronously after start; an append before it would be found by the initial refresh.
            await using var probe = set.DataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'");
            return (long)(await probe.ExecuteScalarAsync())! > 0;
        }, "the notification connection listens");

        var waiting = set.Log.WaitForAppendAsync(head, CancellationToken.None).AsTask();
        await using (var other = NpgsqlDataSource.Create(set.ConnectionString))
        await using (var append = other.CreateCommand("SELECT * FROM herald_append('default', 'from elsewhere')"))
            await append.ExecuteNonQueryAsync();

        await waiting.WaitAsync(Eventually.Timeout);
        Assert.Equal("from elsewhere", (await set.Log.ReadAsync(head, 1))[0].Message);
    }

    [Fact]
    public async Task Attempt_retention_is_per_endpoint()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        for (var i = 1; i <= 8; i++)
        {
            foreach (var endpoint in new[] { "ep_a", "ep_b" })
            {
                await set.Attempts.AppendAsync(new DeliveryAttempt
                {
                    EndpointId = endpoint, MessageId = i, Attempt = 1, Timestamp = DateTimeOffset.UtcNow, LatencyMs = 1, Outcome = AttemptOutcome.Succeeded,
                });
            }
        }

        await set.Pruner(new LogOptions(), attemptRetention: 5).PruneOnceAsync(CancellationToken.None);

        foreach (var endpoint in new[] { "ep_a", "ep_b" })
        {
            var (list, total) = await set.Attempts.ListAsync(endpoint, 100);
            Assert.Equal(5, total);
            Assert.Equal(new long[] { 8, 7, 6, 5, 4 }, list.Select(a => a.MessageId).ToArray());
        }
    }
}
