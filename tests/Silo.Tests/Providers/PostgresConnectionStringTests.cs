using Herald.Infrastructure.Postgres;
using Herald.Silo.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Tests.Providers;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Pooling_defaults_are_added_when_the_connection_string_does_not_set_them()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnectionString.WithDefaults("Host=db;Username=herald;Password=secret;Database=herald"));
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(PostgresConnectionString.DefaultMaxAutoPrepare, tuned.MaxAutoPrepare);
        Assert.Equal(PostgresConnectionString.DefaultMaxPoolSize, tuned.MaxPoolSize);
        Assert.Equal("db", tuned.Host);
        Assert.Equal("secret", tuned.Password);
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0;Maximum Pool Size=7")]
    [InlineData("host=db;no reset on close=false;max auto prepare=0;maximum pool size=7")]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=0;MaxPoolSize=7")]
    public void What_the_connection_string_sets_wins(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnectionString.WithDefaults(connectionString));
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.Equal(7, tuned.MaxPoolSize);
    }

    [Fact]
    public async Task With_the_defaults_a_pooled_connection_keeps_no_migration_lock_and_migrations_still_run_once()
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = PostgresConnectionString.WithDefaults(await server.CreateDatabaseAsync());
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrators = Enumerable.Range(0, 4).Select(_ =>
            new SchemaMigrator(dataSource, Options.Create(PostgresProviderSet.FastOptions), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None));
        await Task.WhenAll(migrators);

        // The sessions stay open in the pool, unreset: a lock they kept would stay held.
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()), " +
            "(SELECT count(*) FROM herald_schema_version)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(0, reader.GetInt64(0));
        Assert.Equal(SchemaMigrator.Scripts.Count, reader.GetInt64(1));
    }
}
