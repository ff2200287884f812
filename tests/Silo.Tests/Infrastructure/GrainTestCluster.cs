using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Grains.Hosting;
using Herald.Grains.Telemetry;
using Herald.MessageLog;
using Herald.Infrastructure.Hosting;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Herald.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using HeraldClusterOptions = Herald.Infrastructure.Cluster.ClusterOptions;

namespace Herald.Silo.Tests.Infrastructure;

/// <summary>
/// Herald's grains on Orleans's in-process test cluster, with the silo configuration the hub uses (memory grain
/// storage with the versioned serializer, reminders, the log stream) and a real HTTP receiver. The log, registry and
/// attempt log are shared by every silo, as PostgreSQL is in a real cluster.
/// </summary>
public sealed class GrainTestCluster : IAsyncDisposable
{
    private readonly ServiceProvider _shared;

    private GrainTestCluster(InProcessTestCluster cluster, ServiceProvider shared, ReadCountingLog siloLog, WebhookReceiver receiver)
    {
        Cluster = cluster;
        _shared = shared;
        SiloLog = siloLog;
        Receiver = receiver;
    }

    public InProcessTestCluster Cluster { get; }

    public WebhookReceiver Receiver { get; }

    public IMessageLog Log => _shared.GetRequiredService<IMessageLog>();

    /// <summary>The same log as the silos use it, counting their reads.</summary>
    public ReadCountingLog SiloLog { get; }

    public IEndpointRegistry Registry => _shared.GetRequiredService<IEndpointRegistry>();

    public IAttemptLog Attempts => _shared.GetRequiredService<IAttemptLog>();

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Starts <paramref name="silos"/> silos; delivery retries after 50 ms unless <paramref name="delivery"/> says otherwise.</summary>
    public static async Task<GrainTestCluster> StartAsync(short silos = 1, Action<DeliveryOptions>? delivery = null)
    {
        var shared = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddHeraldStorage(StorageMode.Memory)
            .BuildServiceProvider();
        var siloLog = new ReadCountingLog(shared.GetRequiredService<IMessageLog>());
        var receiver = await WebhookReceiver.StartAsync();
        var runtime = new HeraldClusterOptions { MinimumReminderPeriod = TimeSpan.FromSeconds(1) };
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddHeraldGrainServices();
            host.Services.AddHeraldStorage(StorageMode.Memory);

            // Registered after the silo's own, so these win: every silo sees one log, registry and attempt log.
            host.Services.AddSingleton<IMessageLog>(siloLog);
            host.Services.AddSingleton(shared.GetRequiredService<IEndpointRegistry>());
            host.Services.AddSingleton(shared.GetRequiredService<IAttemptLog>());
            host.Services.PostConfigure<DeliveryOptions>(options =>
            {
                options.AllowPrivateNetworks = true;
                options.Timeout = TimeSpan.FromSeconds(5);
                options.RetrySchedule = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)];
                options.Jitter = 0;
                options.StateWriteDelay = TimeSpan.FromMilliseconds(50);
                options.ReminderPeriod = TimeSpan.FromSeconds(1);
                options.FaultBackoff = TimeSpan.FromMilliseconds(50);
                delivery?.Invoke(options);
            });
        });
        builder.ConfigureSilo((_, silo) => silo.AddHeraldStorage(StorageMode.Memory).AddHeraldGrainRuntime(runtime));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GrainTestCluster(cluster, shared, siloLog, receiver);
    }

    /// <summary>Registers an endpoint that posts to <paramref name="path"/> on the receiver, from the log's head on.</summary>
    public async Task<string> AddEndpointAsync(string path, params string[] topics)
    {
        var id = $"ep_{path}";
        await Registry.AddAsync(new EndpointDefinition
        {
            Id = id,
            Url = Receiver.Url(path),
            Topics = topics,
            CreatedAt = DateTimeOffset.UtcNow,
            StartAfterSeq = (await Log.GetBoundsAsync()).Head,
        });
        return id;
    }

    /// <summary>A push as the gateway makes it: the topic's broadcaster appends and wakes the subscribers.</summary>
    public Task<PushReceipt> PushAsync(string message, string topic = "default") =>
        Grains.GetGrain<IBroadcasterGrain>(topic).PushAsync(new PushCommand(topic, message));

    public IWebhookGrain Webhook(string endpointId) => Grains.GetGrain<IWebhookGrain>(endpointId);

    public async Task<DeliveryState> StateAsync(string endpointId) =>
        await Webhook(endpointId).GetStateAsync() ?? throw new InvalidOperationException($"{endpointId} does not exist");

    /// <summary>The activation of a webhook grain now, if any, wherever it lives.</summary>
    public ActivationId? ActivationOf(string endpointId) =>
        Cluster.TryGetGrainContext(Webhook(endpointId).GetGrainId(), out var context) ? context.ActivationId : null;

    /// <summary>The webhook grain's state as it is in grain storage (not as the activation holds it).</summary>
    public async Task<IGrainState<DeliveryState>> StoredStateAsync(string endpointId)
    {
        var state = new GrainState<DeliveryState>();
        await Storage.ReadStateAsync(DeliveryState.StateName, Webhook(endpointId).GetGrainId(), state);
        return state;
    }

    /// <summary>Writes a webhook grain's state behind its activation's back, as another activation of it would.</summary>
    public Task WriteStoredStateAsync(string endpointId, IGrainState<DeliveryState> state) =>
        Storage.WriteStateAsync(DeliveryState.StateName, Webhook(endpointId).GetGrainId(), state);

    public WebhookGrainCounters Counters(int silo) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<WebhookGrainCounters>();

    private IGrainStorage Storage => Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(DeliveryState.StorageName);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Receiver.DisposeAsync();
        await _shared.DisposeAsync();
    }
}
