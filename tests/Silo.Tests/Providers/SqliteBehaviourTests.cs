using Herald.Contracts;
using Herald.Infrastructure;
using Herald.Infrastructure.Sqlite;
using Herald.Infrastructure.Storage;
using Herald.Infrastructure.MessageLog;
using Herald.Silo.Tests.Infrastructure;
using Herald.MessageLog;
using Herald.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Herald.Silo.Tests.Providers;

/// <summary>What the embedded data file must do beyond the shared conformance facts: outlive the process, belong to one process, and stay bounded.</summary>
public sealed class SqliteBehaviourTests
{
    private static readonly Dictionary<string, string> NoHeaders = [];

    [Fact]
    public async Task Everything_stored_is_there_after_the_file_is_closed_and_opened_again()
    {
        await using var first = SqliteProviderSet.Create();
        var pushed = await first.Log.AppendAsync("orders", "one");
        var keyed = (await first.Log.AppendOnceAsync("orders", "two", "key-2", """{"n":2}""")).Entry;
        var (endpoint, _) = await first.Registry.AddAsync(new EndpointDefinition
        {
            Id = "ep_1", Url = "http://example.com/hook", Topics = ["orders.*"], Secret = "whsec_x", Headers = new Dictionary<string, string> { ["X-A"] = "b" },
            CreatedAt = DateTimeOffset.UtcNow, StartAfterSeq = 1,
        });
        await first.Attempts.AppendAsync(new DeliveryAttempt { EndpointId = "ep_1", MessageId = keyed.Seq, Attempt = 1, Timestamp = DateTimeOffset.UtcNow, Outcome = AttemptOutcome.Retrying });
        var inbound = (await first.Events.AppendAsync(new InboundEventDraft("stripe", "invoice.paid", "evt_1", NoHeaders, "{}", "{}", "stripe"))).Event;
        await first.Completions.CompleteAsync(new ActionCompletion(inbound.Id, "review", "api", "done", DateTimeOffset.UtcNow));
        await first.Subscriptions.UpsertAsync(new EventSubscription("stripe", ["stripe"], "billing", 0, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        await first.Subscriptions.AdvanceAsync("", "stripe", inbound.Id);

        await using var second = first.Reopen();

        Assert.Equal([pushed.Seq, keyed.Seq, inbound.Id], (await second.Log.ReadAsync(0, 10)).Select(m => m.Seq).ToArray());
        Assert.Equal("""{"n":2}""", (await second.Log.ReadAsync(pushed.Seq, 1))[0].Payload);
        var next = await second.Log.AppendAsync("orders", "three");
        Assert.Equal(inbound.Id + 1, next.Seq);
        Assert.True(next.Timestamp >= inbound.ReceivedAt);

        // The idempotency key, the delivery id and the URL are still taken.
        var retried = await second.Log.AppendOnceAsync("orders", "two again", "key-2");
        Assert.True(retried.Duplicate);
        Assert.Equal(keyed.Seq, retried.Entry.Seq);
        Assert.False((await second.Events.AppendAsync(new InboundEventDraft("stripe", "invoice.paid", "evt_1", NoHeaders, "{}", "{}", "stripe"))).Created);
        Assert.False((await second.Registry.AddAsync(endpoint with { Id = "ep_2" })).Created);

        Assert.Equivalent(endpoint, await second.Registry.GetAsync("ep_1"), strict: true);
        Assert.Equal(["orders.*"], (await second.Registry.GetSubscribersAsync("orders.created")).Single().Topics);
        Assert.Equal(1, (await second.Attempts.ListAsync("ep_1", 10)).Total);
        Assert.Equal("review", (await second.Completions.FindAsync([inbound.Id])).Single().Action);
        Assert.Equal(inbound.Id, (await second.Subscriptions.GetAsync("", "stripe"))!.Cursor);
        Assert.Equal("invoice.paid", (await second.Events.GetAsync(inbound.Id))!.Type);
    }

    [Fact]
    public async Task A_second_process_is_refused_the_folder_while_the_first_holds_it()
    {
        await using var first = SqliteProviderSet.Create();
        using var second = new SqliteDatabase(first.Directory, Options.Create(new SqliteOptions()), NullLogger<SqliteDatabase>.Instance);

        var refused = Assert.Throws<HeraldStartupException>(second.Open);
        Assert.Contains(first.Directory, refused.Message, StringComparison.Ordinal);
        Assert.Contains("in use by another Herald process", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Herald:DataPath", refused.Message, StringComparison.Ordinal);

        first.Database.Dispose();
        second.Open();
    }

    [Fact]
    public async Task Upgrading_a_file_keeps_the_subscriptions_made_before_owners_under_the_open_hubs_owner()
    {
        var directory = SqliteProviderSet.NewDirectory();
        Directory.CreateDirectory(directory);
        try
        {
            // A data file as the release before owners left it: the first script only, and a subscription.
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, SqliteOptions.FileName)}"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = SqliteDatabase.Scripts.Single(s => s.Version == 1).Sql +
                                      "; INSERT INTO herald_subscriptions VALUES ('assistant-sub', '[\"github\"]', NULL, 42, 0, 0); PRAGMA user_version = 1;";
                command.ExecuteNonQuery();
            }

            SqliteConnection.ClearAllPools();
            using var database = new SqliteDatabase(directory, Options.Create(new SqliteOptions()), NullLogger<SqliteDatabase>.Instance);
            database.Open();
            var store = new SqliteSubscriptionStore(database, TimeProvider.System);

            Assert.Equal(42, (await store.GetAsync("", "assistant-sub"))!.Cursor);
            var (_, created) = await store.UpsertAsync(new EventSubscription("assistant-sub", ["stripe"], null, 0, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "key-read"));
            Assert.True(created, "a key's subscription of the same name is its own");
            Assert.Equal(2, await store.CountAsync());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_written_by_a_newer_schema_is_refused_with_its_version()
    {
        await using var set = SqliteProviderSet.Create();
        await set.Database.WriteAsync(commands => commands.Command("PRAGMA user_version = 99").ExecuteNonQuery());
        set.Database.Dispose();

        using var newer = new SqliteDatabase(set.Directory, Options.Create(new SqliteOptions()), NullLogger<SqliteDatabase>.Instance);
        var refused = Assert.Throws<HeraldStartupException>(newer.Open);
        Assert.Contains("schema version 99", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_path_and_the_folder_stays_free()
    {
        var directory = SqliteProviderSet.NewDirectory();
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, SqliteOptions.FileName), new string('x', 8192));
            using var database = new SqliteDatabase(directory, Options.Create(new SqliteOptions()), NullLogger<SqliteDatabase>.Instance);

            var refused = Assert.Throws<HeraldStartupException>(database.Open);
            Assert.Contains(Path.Combine(directory, SqliteOptions.FileName), refused.Message, StringComparison.Ordinal);
            Assert.Contains("Move the file aside", refused.Message, StringComparison.Ordinal);

            // The refusal let go of the folder: once the file is moved aside, a hub starts there.
            File.Delete(Path.Combine(directory, SqliteOptions.FileName));
            using var fresh = new SqliteDatabase(directory, Options.Create(new SqliteOptions()), NullLogger<SqliteDatabase>.Instance);
            fresh.Open();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_write_that_fails_leaves_the_writes_committed_with_it_alone()
    {
        await using var set = SqliteProviderSet.Create();
        var writes = Enumerable.Range(0, 50).Select(i => set.Database.WriteAsync(commands => i == 25
            ? commands.Command("INSERT INTO no_such_table VALUES (1)").ExecuteNonQuery()
            : commands.Command("INSERT INTO herald_log (topic, message, created_at) VALUES ('t', $1, 0)", $"m{i}").ExecuteNonQuery())).ToArray();

        await Assert.ThrowsAsync<SqliteException>(() => writes[25]);
        foreach (var write in writes.Where((_, i) => i != 25))
            Assert.Equal(1, await write);
        Assert.Equal(49, await set.Database.ReadAsync(c => (long)new SqliteCommand("SELECT count(*) FROM herald_log", c).ExecuteScalar()!));
    }

    [Fact]
    public async Task Pruning_keeps_the_newest_entries_and_no_sequence_is_handed_out_twice_even_after_everything_was_pruned()
    {
        await using var first = SqliteProviderSet.Create();
        for (var i = 1; i <= 10; i++)
            await first.Log.AppendAsync("default", $"m{i}");

        await first.Pruner(new LogOptions { RetentionCount = 3 }).PruneOnceAsync();
        Assert.Equal(new LogBounds(8, 10), await first.Log.GetBoundsAsync());
        Assert.Equal(new long[] { 8, 9, 10 }, (await first.Log.ReadAsync(0, 100)).Select(m => m.Seq).ToArray());

        // Past the age limit, everything goes; the head stays where it was.
        await first.Pruner(new LogOptions { RetentionCount = 100, RetentionAge = TimeSpan.FromSeconds(1) }).PruneOnceAsync();
        await Eventually.TrueAsync(async () =>
        {
            await first.Pruner(new LogOptions { RetentionCount = 100, RetentionAge = TimeSpan.FromSeconds(1) }).PruneOnceAsync();
            return (await first.Log.ReadAsync(0, 100)).Count == 0;
        }, "every entry is past the age limit");
        Assert.Equal(new LogBounds(11, 10), await first.Log.GetBoundsAsync());

        await using var second = first.Reopen();
        Assert.Equal(new LogBounds(11, 10), await second.Log.GetBoundsAsync());
        Assert.Equal(11, (await second.Log.AppendAsync("default", "after")).Seq);
    }

    [Fact]
    public async Task Attempt_retention_is_per_endpoint()
    {
        await using var set = SqliteProviderSet.Create();
        foreach (var endpoint in new[] { "ep_a", "ep_b" })
        {
            for (var i = 1; i <= 8; i++)
                await set.Attempts.AppendAsync(new DeliveryAttempt { EndpointId = endpoint, MessageId = i, Attempt = 1, Timestamp = DateTimeOffset.UtcNow, Outcome = AttemptOutcome.Succeeded });
        }

        await set.Pruner(new LogOptions(), attemptRetention: 5).PruneOnceAsync();

        foreach (var endpoint in new[] { "ep_a", "ep_b" })
        {
            var (list, total) = await set.Attempts.ListAsync(endpoint, 100);
            Assert.Equal(5, total);
            Assert.Equal(new long[] { 8, 7, 6, 5, 4 }, list.Select(a => a.MessageId).ToArray());
        }

        Assert.Equal(10, await set.Database.ReadAsync(c => (long)new SqliteCommand("SELECT count(*) FROM herald_attempts", c).ExecuteScalar()!));
    }

    [Fact]
    public async Task With_retention_the_file_stops_growing()
    {
        await using var set = SqliteProviderSet.Create();
        var message = new string('x', 2000);
        var retention = new LogOptions { RetentionCount = 500 };

        async Task<long> RoundAsync()
        {
            for (var i = 0; i < 2000; i++)
                await set.Log.AppendAsync("default", message);
            await set.Pruner(retention).PruneOnceAsync();

            // The database's own size, pages not yet checkpointed into the file included: what the file grows to, read
            // without racing the checkpoints that copy them there.
            return await set.Database.ReadAsync(c => (long)new SqliteCommand("PRAGMA page_count", c).ExecuteScalar()! * (long)new SqliteCommand("PRAGMA page_size", c).ExecuteScalar()!);
        }

        var afterFirst = await RoundAsync();
        var afterSecond = await RoundAsync();
        var afterThird = await RoundAsync();
        var afterFourth = await RoundAsync();

        // Pages freed by pruning are reused. From the second round on, each round holds the same peak (the 500 kept
        // plus 2,000 new), so the file keeps its size.
        Assert.True(afterFourth <= afterSecond * 1.05, $"the database grew from {afterFirst} to {afterSecond}, {afterThird} and {afterFourth} bytes");
        Assert.Equal(500, (await set.Log.ReadAsync(0, 10_000)).Count);
    }

    [Fact]
    public async Task Grain_state_is_versioned_and_a_stale_write_or_clear_is_refused()
    {
        await using var set = SqliteProviderSet.Create();
        var storage = new SqliteGrainStorage(set.Database, new VersionedJsonGrainStorageSerializer());
        var grain = GrainId.Create("webhook", "ep_1");

        var missing = new GrainState<DeliveryState>();
        await storage.ReadStateAsync(DeliveryState.StateName, grain, missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);

        var mine = new GrainState<DeliveryState> { State = new DeliveryState { Cursor = 7 } };
        await storage.WriteStateAsync(DeliveryState.StateName, grain, mine);
        var stale = new GrainState<DeliveryState>();
        await storage.ReadStateAsync(DeliveryState.StateName, grain, stale);
        mine.State = mine.State! with { Cursor = 9 };
        await storage.WriteStateAsync(DeliveryState.StateName, grain, mine);

        stale.State = stale.State! with { Cursor = 8 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(DeliveryState.StateName, grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(DeliveryState.StateName, grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(DeliveryState.StateName, grain, new GrainState<DeliveryState> { State = new DeliveryState() }));

        await using var reopened = set.Reopen();
        var restarted = new SqliteGrainStorage(reopened.Database, new VersionedJsonGrainStorageSerializer());
        var read = new GrainState<DeliveryState>();
        await restarted.ReadStateAsync(DeliveryState.StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(9, read.State!.Cursor);

        await restarted.ClearStateAsync(DeliveryState.StateName, grain, read);
        var cleared = new GrainState<DeliveryState>();
        await restarted.ReadStateAsync(DeliveryState.StateName, grain, cleared);
        Assert.False(cleared.RecordExists);
    }

    [Fact]
    public void A_bad_storage_setting_names_the_key_and_the_choices()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [StorageMode.StorageKey] = "disk" }).Build();

        var refused = Assert.Throws<HeraldStartupException>(() => (object)StorageMode.From(configuration));
        Assert.Contains("Herald:Storage is 'disk'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Sqlite", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Memory", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["--Herald:Storage=Memory", "--urls"], StorageMode.ExpandSwitches(["--in-memory", "--urls"]));
    }
}
