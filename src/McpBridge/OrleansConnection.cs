using Herald.Infrastructure;
using Herald.Infrastructure.Hosting;
using Herald.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using HeraldClusterOptions = Herald.Infrastructure.Cluster.ClusterOptions;

namespace Herald.McpBridge;

/// <summary>
/// The bridge's Orleans client of a Herald cluster, connected at the first tool call that needs it rather than at
/// start: the bridge must answer the MCP handshake (and say what is wrong) even while the cluster is down. A failed
/// connection is an actionable tool error, and the next call tries again.
/// </summary>
public sealed class OrleansConnection(
    IOptions<HeraldClusterOptions> cluster, IOptions<BridgeOptions> bridge, string postgres, IConfiguration configuration, ILogger<OrleansConnection> logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IHost? _host;

    /// <summary>Names the cluster in tool answers, where an HTTP gateway's address would go.</summary>
    public string Describe => $"orleans://{cluster.Value.ClusterId}";

    public async Task<IClusterClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _host) is { } connected)
            return connected.Services.GetRequiredService<IClusterClient>();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_host is not null)
                return _host.Services.GetRequiredService<IClusterClient>();
            IHost host;
            try
            {
                host = Build();
            }
            catch (HeraldStartupException problem)
            {
                throw new McpException($"The bridge cannot connect to the Herald cluster '{cluster.Value.ClusterId}': {problem.Message}");
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(bridge.Value.ClusterConnectTimeout);
            try
            {
                await host.StartAsync(deadline.Token);
            }
            catch (Exception exception)
            {
                await StopQuietlyAsync(host);
                if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
                    throw;
                BridgeLogMessages.ClusterUnreachable(logger, Describe, exception);
                var tls = cluster.Value.Tls.Configured
                    ? "Does its certificate (Herald__Cluster__Tls__CertificatePath) match the cluster's?"
                    : "If the cluster's Orleans ports require TLS, give the bridge the cluster's certificate: Herald__Cluster__Tls__CertificatePath and KeyPath.";
                var reason = exception is OperationCanceledException ? $"no gateway accepted the connection within {bridge.Value.ClusterConnectTimeout.TotalSeconds:0.#} s" : exception.GetBaseException().Message;
                throw new McpException($"The Herald cluster '{cluster.Value.ClusterId}' could not be reached through its membership table on PostgreSQL " +
                                       $"({reason}). Is a Herald silo or gateway running on that database, with the same " +
                                       $"Herald__Cluster__ClusterId and ServiceId? Check ConnectionStrings__Postgres. {tls}");
            }

            Volatile.Write(ref _host, host);
            return host.Services.GetRequiredService<IClusterClient>();
        }
        finally
        {
            _gate.Release();
        }
    }

    private IHost Build()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Orleans's client says little worth reading below Warning, unless the bridge's own Logging settings ask for it.
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Orleans.Connections.Security", LogLevel.Error)
            .AddConfiguration(configuration.GetSection("Logging"));
        builder.UseOrleansClient(client =>
        {
            client.UseHeraldCluster(cluster.Value, postgres);

            // Orleans's own retries take three minutes to give up; a tool call waits at most ClusterConnectTimeout,
            // and tries again within it while silos restart.
            client.UseConnectionRetryFilter(async (_, cancellationToken) =>
            {
                await Task.Delay(RetryDelay, cancellationToken);
                return true;
            });

            // Every call on the entry grain carries the bridge's key, as every HTTP request carries it in its header.
            if (bridge.Value.ApiKey is { Length: > 0 } key)
                client.AddOutgoingGrainCallFilter(new ApiKeyCallFilter(key));

            // A tool's grain calls join the bridge's trace when traces are recorded.
            if (TelemetryHostingExtensions.TracesEnabled(configuration))
                client.AddActivityPropagation();
        });
        return builder.Build();
    }

    /// <summary>A client that did not connect still runs its gateway and membership loops until it is stopped.</summary>
    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // It never started; whatever it holds goes with the dispose.
        }

        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is { } host)
        {
            await host.StopAsync(TimeSpan.FromSeconds(5));
            host.Dispose();
        }

        _gate.Dispose();
    }
}
