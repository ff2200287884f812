using Herald.Silo.Hosting;
using Herald.Silo.Telemetry;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using HeraldClusterOptions = Herald.Silo.Cluster.ClusterOptions;

namespace Herald.McpBridge;

/// <summary>
/// The bridge's Orleans client of a Herald cluster, connected at the first tool call that needs it rather than at
/// start: the bridge must answer the MCP handshake (and say what is wrong) even while the cluster is down. A failed
/// connection is an actionable tool error, and the next call tries again.
/// </summary>
public sealed class OrleansConnection(IOptions<HeraldClusterOptions> cluster, string postgres, IConfiguration configuration, ILogger<OrleansConnection> logger)
    : IAsyncDisposable
{
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
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleansClient(client =>
            {
                client.UseHeraldCluster(cluster.Value, postgres);

                // A tool's grain calls join the bridge's trace when traces are recorded.
                if (TelemetryHostingExtensions.TracesEnabled(configuration))
                    client.AddActivityPropagation();
            });
            var host = builder.Build();
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                host.Dispose();
                Log.ClusterUnreachable(logger, Describe, exception);
                throw new McpException($"The Herald cluster '{cluster.Value.ClusterId}' could not be reached through its membership table on PostgreSQL " +
                                       $"({exception.GetBaseException().Message}). Is a Herald silo or gateway running on that database, with the same " +
                                       "Herald__Cluster__ClusterId and ServiceId? Check ConnectionStrings__Postgres.");
            }

            Volatile.Write(ref _host, host);
            return host.Services.GetRequiredService<IClusterClient>();
        }
        finally
        {
            _gate.Release();
        }
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
