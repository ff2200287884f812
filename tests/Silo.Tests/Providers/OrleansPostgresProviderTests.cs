using System.Net;
using System.Net.Sockets;
using Herald.Contracts;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Hosting;
using Herald.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Storage;

namespace Herald.Silo.Tests.Providers;

/// <summary>
/// Herald's migration against Orleans's ADO.NET providers: a real silo on a fresh PostgreSQL database joins the
/// membership table, and its grain storage and reminder table keep Orleans's contract (ETags, ranges, removal).
/// </summary>
public sealed class OrleansPostgresProviderTests(OrleansPostgresProviderTests.SiloOnPostgres silo) : IClassFixture<OrleansPostgresProviderTests.SiloOnPostgres>
{
    [Fact]
    public async Task The_silo_is_active_in_the_membership_table_under_its_name()
    {
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var data = await table.ReadAllAsync(CancellationToken.None);
        var entry = Assert.Single(data.Members, m => m.Item1.SiloName == SiloOnPostgres.Name).Item1;
        Assert.Equal(SiloStatus.Active, entry.Status);
        Assert.True(data.Version.Version > 0);

        await using var connection = await silo.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM orleans_membership WHERE siloname = @name", connection);
        command.Parameters.AddWithValue("name", SiloOnPostgres.Name);
        Assert.Equal(3, Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Membership_rows_follow_the_version_and_dead_ones_are_cleaned_up()
    {
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var before = await table.ReadAllAsync(CancellationToken.None);
        var dead = new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, 1, 42),
            SiloName = "long-gone",
            HostName = "nowhere",
            Status = SiloStatus.Dead,
            StartTime = DateTime.UtcNow.AddHours(-1),
            IAmAliveTime = DateTime.UtcNow.AddHours(-1),
            SuspectTimes = [],
        };

        Assert.True(await table.InsertRowAsync(dead, before.Version.Next(), CancellationToken.None));

        // A second writer that read the same version loses, as a concurrent change of membership would.
        var rival = new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, 2, 42),
            SiloName = "rival",
            HostName = "nowhere",
            Status = SiloStatus.Dead,
            StartTime = DateTime.UtcNow,
            IAmAliveTime = DateTime.UtcNow,
            SuspectTimes = [],
        };
        Assert.False(await table.InsertRowAsync(rival, before.Version.Next(), CancellationToken.None));
        var after = await table.ReadAllAsync(CancellationToken.None);
        Assert.Equal(before.Version.Version + 1, after.Version.Version);
        Assert.Contains(after.Members, m => m.Item1.SiloName == "long-gone" && m.Item1.Status == SiloStatus.Dead);

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None);
        var cleaned = await table.ReadAllAsync(CancellationToken.None);
        Assert.DoesNotContain(cleaned.Members, m => m.Item1.SiloName is "long-gone");
        Assert.Contains(cleaned.Members, m => m.Item1.SiloName == SiloOnPostgres.Name);
    }

    [Fact]
    public async Task Grain_state_is_written_with_etags_and_a_stale_write_is_refused()
    {
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(DeliveryState.StorageName);
        var grainId = GrainId.Create(WebhookGrainType, $"ep_{Guid.NewGuid():N}");
        var state = new GrainState<DeliveryState> { State = new DeliveryState { Cursor = 7, Delivered = 3, LastAttempt = null } };

        await storage.WriteStateAsync(DeliveryState.StateName, grainId, state);
        Assert.NotNull(state.ETag);
        var read = new GrainState<DeliveryState>();
        await storage.ReadStateAsync(DeliveryState.StateName, grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal((7L, 3L), (read.State!.Cursor, read.State.Delivered));
        Assert.Equal(state.ETag, read.ETag);

        // Two writers from the same version: the first wins, the second learns its copy is stale.
        read.State = read.State with { Cursor = 8 };
        await storage.WriteStateAsync(DeliveryState.StateName, grainId, read);
        state.State = state.State with { Cursor = 9 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(DeliveryState.StateName, grainId, state));
        var current = new GrainState<DeliveryState>();
        await storage.ReadStateAsync(DeliveryState.StateName, grainId, current);
        Assert.Equal(8L, current.State!.Cursor);

        // Clearing deletes the row (Herald's cursors of a deleted endpoint must not linger).
        await storage.ClearStateAsync(DeliveryState.StateName, grainId, current);
        var cleared = new GrainState<DeliveryState>();
        await storage.ReadStateAsync(DeliveryState.StateName, grainId, cleared);
        Assert.False(cleared.RecordExists);
        Assert.Equal(0, await silo.CountAsync("SELECT count(*) FROM orleans_storage WHERE grainidextensionstring = @key", grainId.Key.ToString()!));
    }

    [Fact]
    public async Task Grain_state_is_stored_as_versioned_json()
    {
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(DeliveryState.StorageName);
        var key = $"ep_{Guid.NewGuid():N}";
        var grainId = GrainId.Create(WebhookGrainType, key);
        await storage.WriteStateAsync(DeliveryState.StateName, grainId, new GrainState<DeliveryState> { State = new DeliveryState { Cursor = 12 } });

        await using var connection = await silo.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT convert_from(payloadbinary, 'UTF8') FROM orleans_storage WHERE grainidextensionstring = @key", connection);
        command.Parameters.AddWithValue("key", key);
        var json = (string)(await command.ExecuteScalarAsync())!;
        Assert.Contains("\"v\":1", json, StringComparison.Ordinal);
        Assert.Contains("\"cursor\":12", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reminders_are_upserted_read_by_grain_and_by_hash_range_and_removed_by_etag()
    {
        var table = silo.Services.GetRequiredService<IReminderTable>();
        var grainId = GrainId.Create(WebhookGrainType, $"ep_{Guid.NewGuid():N}");
        var entry = new ReminderEntry { GrainId = grainId, ReminderName = "retry", StartAt = DateTime.UtcNow.AddMinutes(1), Period = TimeSpan.FromMinutes(1) };

        var etag = await table.UpsertRow(entry) ?? throw new InvalidOperationException("no etag");
        Assert.False(string.IsNullOrEmpty(etag));
        var read = (await table.ReadRow(grainId, "retry"))!;
        Assert.Equal((TimeSpan.FromMinutes(1), etag), (read.Period, read.ETag));
        Assert.Single((await table.ReadRows(grainId)).Reminders);

        // A silo reads the reminders of its hash range; a range that wraps around zero covers both ends.
        var hash = grainId.GetUniformHashCode();
        Assert.Contains((await table.ReadRows(hash - 1, hash)).Reminders, r => r.GrainId == grainId);
        Assert.DoesNotContain((await table.ReadRows(hash, hash + 1 == 0 ? 1 : hash + 1)).Reminders, r => r.GrainId == grainId);
        Assert.Contains((await table.ReadRows(hash + 10, hash)).Reminders, r => r.GrainId == grainId);

        entry.Period = TimeSpan.FromMinutes(2);
        var updated = await table.UpsertRow(entry) ?? throw new InvalidOperationException("no etag");
        Assert.NotEqual(etag, updated);
        Assert.False(await table.RemoveRow(grainId, "retry", etag));
        Assert.True(await table.RemoveRow(grainId, "retry", updated));
        Assert.Empty((await table.ReadRows(grainId)).Reminders);
    }

    [Fact]
    public async Task The_migration_can_run_again_on_a_database_a_silo_uses()
    {
        await using var again = await SiloOnPostgres.StartHostAsync(silo.ConnectionString, "second-silo");
        await Eventually.TrueAsync(async () => (await silo.Services.GetRequiredService<IMembershipTable>().ReadAllAsync(CancellationToken.None)).Members
            .Count(m => m.Item1.Status == SiloStatus.Active) == 2, "both silos are active");
        await again.StopAsync();
    }

    [Fact]
    public async Task A_silo_port_in_use_stops_the_silo_from_starting_instead_of_sharing_it()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await SiloOnPostgres.StartHostAsync(silo.ConnectionString, "port-taken", ("Herald:Cluster:SiloPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
        Assert.Contains("address already in use", failure.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private static readonly GrainType WebhookGrainType = GrainType.Create(Herald.Grains.Webhooks.WebhookGrain.GrainTypeName);

    /// <summary>One silo with Herald's cluster configuration on a fresh database of the shared test server.</summary>
    public sealed class SiloOnPostgres : IAsyncLifetime
    {
        public const string Name = "provider-test";

        private StartedHost? _host;

        public string ConnectionString { get; private set; } = string.Empty;

        public IServiceProvider Services => _host!.Host.Services;

        public async Task InitializeAsync()
        {
            var server = await PostgresServer.SharedAsync();
            ConnectionString = await server.CreateDatabaseAsync();
            _host = await StartHostAsync(ConnectionString, Name);
        }

        public async Task DisposeAsync()
        {
            if (_host is not null)
                await _host.DisposeAsync();
        }

        public async Task<NpgsqlConnection> OpenAsync()
        {
            var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            return connection;
        }

        public async Task<long> CountAsync(string sql, string key)
        {
            await using var connection = await OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("key", key);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public static async Task<StartedHost> StartHostAsync(string connectionString, string name, params (string Key, string Value)[] settings)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = connectionString,
                ["Herald:Cluster:SiloName"] = name,
            }.Concat(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))));
            builder.AddHeraldSilo(SiloRole.Silo);
            var host = builder.Build();
            try
            {
                await host.StartAsync();
            }
            catch
            {
                host.Dispose();
                throw;
            }

            return new StartedHost(host);
        }
    }

    public sealed class StartedHost(IHost host) : IAsyncDisposable
    {
        public IHost Host { get; } = host;

        public Task StopAsync() => Host.StopAsync();

        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            Host.Dispose();
        }
    }
}
