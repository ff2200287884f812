using Herald.Infrastructure;
using Herald.MessageLog;
using Herald.Infrastructure.Hosting;
using Herald.Infrastructure.MessageLog;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Silo.Tests.Hosting;

/// <summary>The storage is decided once, from configuration, and that one decision picks every store.</summary>
public sealed class StorageModeTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void Nothing_configured_is_an_embedded_hub_on_its_data_file_under_the_default_folder()
    {
        var mode = StorageMode.From(Configuration());

        Assert.Equal(StorageKind.Sqlite, mode.Kind);
        Assert.Equal(StorageMode.DefaultDataPath, mode.DataPath);
        Assert.Null(mode.ConnectionString);
        Assert.False(mode.IsCluster);
    }

    [Fact]
    public void Memory_and_a_data_folder_are_read_from_their_keys()
    {
        Assert.Same(StorageMode.Memory, StorageMode.From(Configuration((StorageMode.StorageKey, "memory"))));
        var folder = Path.Combine(Path.GetTempPath(), "herald-mode");
        var sqlite = StorageMode.From(Configuration((StorageMode.StorageKey, "Sqlite"), (StorageMode.DataPathKey, $" {folder} ")));
        Assert.Equal((StorageKind.Sqlite, folder), (sqlite.Kind, sqlite.DataPath));
    }

    [Fact]
    public void A_connection_string_makes_a_cluster_on_postgres()
    {
        var mode = StorageMode.From(Configuration((StorageMode.ConnectionStringKey, "Host=db;Username=herald")));

        Assert.Equal(StorageKind.Postgres, mode.Kind);
        Assert.True(mode.IsCluster);
        Assert.Null(mode.DataPath);
        Assert.Equal("Host=db;Username=herald", mode.ConnectionString);
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    public void A_connection_string_beside_an_embedded_storage_is_refused_naming_both_keys(string storage)
    {
        var refused = Assert.Throws<HeraldStartupException>(() =>
            (object)StorageMode.From(Configuration((StorageMode.ConnectionStringKey, "Host=db"), (StorageMode.StorageKey, storage))));

        Assert.Contains(StorageMode.StorageKey, refused.Message, StringComparison.Ordinal);
        Assert.Contains(StorageMode.ConnectionStringKey, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_process_that_only_joins_a_cluster_reads_its_connection_string_whatever_storage_its_own_hub_would_use()
    {
        var joined = StorageMode.ClusterConnectionString(Configuration((StorageMode.ConnectionStringKey, "Host=db"), (StorageMode.StorageKey, "Memory")));

        Assert.Equal("Host=db", joined);
        Assert.Null(StorageMode.ClusterConnectionString(Configuration((StorageMode.ConnectionStringKey, " "))));
    }

    [Fact]
    public void Postgres_is_not_an_embedded_storage_name()
    {
        var refused = Assert.Throws<HeraldStartupException>(() => (object)StorageMode.From(Configuration((StorageMode.StorageKey, "Postgres"))));

        Assert.Contains("Herald:Storage is 'Postgres'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_memory_mode_registers_the_memory_stores_once_with_counting_above_the_attempt_log()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(Configuration()).AddHeraldStorage(StorageMode.Memory);
        using var provider = services.BuildServiceProvider();

        Assert.Same(StorageMode.Memory, provider.GetRequiredService<StorageMode>());
        Assert.IsType<MemoryMessageLog>(provider.GetRequiredService<IMessageLog>());
        Assert.IsType<CountingAttemptLog>(provider.GetRequiredService<IAttemptLog>());
        foreach (var store in new[] { typeof(IMessageLog), typeof(IEndpointRegistry), typeof(IInboundEventStore), typeof(IActionCompletionStore), typeof(ISubscriptionStore), typeof(IAttemptLog) })
            Assert.Single(services, d => d.ServiceType == store && !d.IsKeyedService);
    }
}
