using System.Text;
using System.Text.Json;
using Herald.Contracts;
using Herald.Infrastructure;
using Herald.Infrastructure.Postgres;
using Herald.Infrastructure.Sqlite;
using Herald.Infrastructure.Storage;
using Herald.Silo.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Tests.Providers;

/// <summary>Endpoint secrets and header values at rest: sealed with Data Protection, in files only their user may read.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StoredSecretsTests
{
    private const string Secret = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    private const string SecretBody = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    private const string Token = "receiver-token-SECRET";
    private static readonly string HeadersJson = JsonSerializer.Serialize(new Dictionary<string, string> { ["Authorization"] = "Bearer " + Token });

    private static EndpointDefinition Endpoint(string id) => new()
    {
        Id = id,
        Url = $"http://example.com/{id}",
        Secret = Secret,
        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + Token, ["X-Tenant"] = "acme" },
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static void AssertOpened(EndpointDefinition? read)
    {
        Assert.NotNull(read);
        Assert.Equal(Secret, read.Secret);
        Assert.Equal("Bearer " + Token, read.Headers["Authorization"]);
    }

    private static void AssertSealed(string? secret, string headers)
    {
        Assert.StartsWith(StoredSecrets.Marker, secret);
        Assert.DoesNotContain(SecretBody, secret, StringComparison.Ordinal);
        Assert.Contains("Authorization", headers, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, headers, StringComparison.Ordinal);
        Assert.DoesNotContain("acme", headers, StringComparison.Ordinal);
    }

    private static Task<(string? Secret, string Headers)> SqliteRowAsync(SqliteProviderSet set, string id) =>
        set.Database.ReadAsync(c => SqliteValues.Query(c, "SELECT secret, headers FROM herald_endpoints WHERE id = $1", r => (r.IsDBNull(0) ? null : r.GetString(0), r.GetString(1)), id).Single());

    [Fact]
    public async Task Sqlite_seals_secrets_and_header_values_in_the_file_and_its_write_ahead_log_and_opens_them_after_a_restart()
    {
        await using var set = SqliteProviderSet.Create();
        await set.Registry.AddAsync(Endpoint("ep_1"));
        await set.Registry.UpdateAsync((await set.Registry.GetAsync("ep_1"))! with { Description = "updated" });

        var (secret, headers) = await SqliteRowAsync(set, "ep_1");
        AssertSealed(secret, headers);
        AssertOpened(await set.Registry.GetAsync("ep_1"));
        AssertOpened((await set.Registry.ListAsync()).Single());
        AssertOpened((await set.Registry.GetSubscribersAsync("orders.created")).Single());

        await set.Database.FlushAsync();
        foreach (var file in Directory.GetFiles(set.Directory, SqliteOptions.FileName + "*"))
        {
            var bytes = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain(Token, bytes, StringComparison.Ordinal);
            Assert.DoesNotContain(SecretBody, bytes, StringComparison.Ordinal);
        }

        await using var restarted = set.Reopen();
        AssertOpened(await restarted.Registry.GetAsync("ep_1"));
    }

    [Fact]
    public async Task The_data_folder_is_0700_and_every_file_in_it_0600_the_key_ring_included()
    {
        await using var set = SqliteProviderSet.Create();
        await set.Registry.AddAsync(Endpoint("ep_1"));
        await set.Database.FlushAsync();

        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(set.Directory));
        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(set.Database.KeyRingDirectory));
        Assert.NotEmpty(Directory.GetFiles(set.Database.KeyRingDirectory, "*.xml"));
        var files = Directory.GetFiles(set.Directory, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
        Assert.All(files, file => Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(file)));
    }

    [Fact]
    public async Task A_folder_and_files_an_older_herald_left_readable_are_made_private_when_opened()
    {
        var directory = SqliteProviderSet.NewDirectory();
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, SqliteOptions.FileName);
        using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            connection.Open();
            SqliteDatabase.Execute(connection, "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);");
        }

        SqliteConnection.ClearAllPools();
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(directory, PrivateFiles.FolderMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(file, Readable);
        File.WriteAllText(file + "-wal", string.Empty);
        File.SetUnixFileMode(file + "-wal", Readable);

        using (var database = new SqliteDatabase(directory, Options.Create(new SqliteOptions()), NullLogger<SqliteDatabase>.Instance))
        {
            database.Open();
            Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(directory));
            Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(file));
            Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(file + "-wal"));
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Sqlite_rows_an_older_herald_wrote_in_plain_text_are_sealed_at_start_and_read_the_same()
    {
        await using var set = SqliteProviderSet.Create();
        await set.Database.WriteAsync(commands => commands.Command(
            "INSERT INTO herald_endpoints (id, url, topics, secret, headers, created_at, start_after_seq, enabled) VALUES ('ep_old', 'http://example.com/old', '[]', $1, $2, 0, 0, 1)",
            Secret, HeadersJson).ExecuteNonQuery());
        AssertOpened(await set.Registry.GetAsync("ep_old"));

        Assert.Equal(1, await set.Registry.SealPlainSecretsAsync(CancellationToken.None));

        var (secret, headers) = await SqliteRowAsync(set, "ep_old");
        AssertSealed(secret, headers);
        AssertOpened(await set.Registry.GetAsync("ep_old"));
        Assert.Equal(0, await set.Registry.SealPlainSecretsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_key_ring_that_did_not_seal_the_secrets_stops_the_start_and_says_where_it_looked()
    {
        await using var set = SqliteProviderSet.Create();
        await set.Registry.AddAsync(Endpoint("ep_1"));
        var stranger = new SqliteEndpointRegistry(set.Database, new StoredSecrets(new EphemeralDataProtectionProvider()));

        var refused = await Assert.ThrowsAsync<HeraldStartupException>(
            () => new PlainSecretsMigration(stranger, "/srv/herald/keys", NullLogger<PlainSecretsMigration>.Instance).StartAsync(CancellationToken.None));

        Assert.Contains("/srv/herald/keys", refused.Message, StringComparison.Ordinal);
        Assert.Contains("key ring", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_seals_secrets_in_the_table_and_another_process_opens_them_with_the_shared_key_ring()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        await set.Registry.AddAsync(Endpoint("ep_1"));

        await using (var read = set.DataSource.CreateCommand("SELECT secret, headers::text FROM herald_endpoints"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            AssertSealed(reader.GetString(0), reader.GetString(1));
        }

        await using var count = set.DataSource.CreateCommand("SELECT count(*) FROM herald_key_ring");
        Assert.True((long)(await count.ExecuteScalarAsync())! >= 1, "the key is in the database");

        // Another process: its own connections and its own Data Protection, reading the ring from the table.
        await using var otherSource = NpgsqlDataSource.Create(set.ConnectionString);
        var other = new PostgresEndpointRegistry(otherSource, set.Notifications, TestSecrets.ForDatabase(otherSource));
        AssertOpened(await other.GetAsync("ep_1"));
        await other.AddAsync(Endpoint("ep_2"));
        AssertOpened(await set.Registry.GetAsync("ep_2"));
    }

    [Fact]
    public async Task Postgres_rows_in_plain_text_are_sealed_once_however_many_processes_start_at_once()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var insert = set.DataSource.CreateCommand(
                "INSERT INTO herald_endpoints (id, url, topics, secret, headers, created_at, start_after_seq, enabled) VALUES ($1, $2, '{}', $3, $4::jsonb, now(), 0, true)");
            insert.Parameters.Add(new NpgsqlParameter { Value = $"ep_old{i}" });
            insert.Parameters.Add(new NpgsqlParameter { Value = $"http://example.com/old{i}" });
            insert.Parameters.Add(new NpgsqlParameter { Value = Secret });
            insert.Parameters.Add(new NpgsqlParameter { Value = HeadersJson });
            await insert.ExecuteNonQueryAsync();
        }

        var sources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(set.ConnectionString)).ToArray();
        try
        {
            var processes = sources.Select(s => new PostgresEndpointRegistry(s, set.Notifications, TestSecrets.ForDatabase(s))).ToArray();
            var sealedCounts = await Task.WhenAll(processes.Select(p => p.SealPlainSecretsAsync(CancellationToken.None)));

            Assert.Equal(3, sealedCounts.Sum());
            foreach (var process in processes.Append(set.Registry))
            {
                foreach (var endpoint in await process.ListAsync())
                    AssertOpened(endpoint);
            }

            await using var read = set.DataSource.CreateCommand("SELECT secret, headers::text FROM herald_endpoints");
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                AssertSealed(reader.GetString(0), reader.GetString(1));
        }
        finally
        {
            foreach (var source in sources)
                await source.DisposeAsync();
        }
    }
}
