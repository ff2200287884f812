using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Storage;

namespace Herald.Infrastructure.Hosting;

public static class SiloWorkerExtensions
{
    /// <summary>The address a silo serves health and grain calls on when nothing else is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8200";

    /// <summary>Why a silo cannot start with this configuration, or null when it can.</summary>
    private static string? MissingClusterConfiguration(IConfiguration configuration) =>
        !StorageMode.From(configuration).IsCluster
            ? "A Herald silo runs in cluster mode only: set ConnectionStrings__Postgres. For a single process, run the gateway (dotnet run --project src/Gateway)."
            : null;

    /// <summary>A headless silo process. It only makes sense in a cluster, so it refuses to start without one.</summary>
    public static WebApplicationBuilder AddHeraldSiloWorker(this WebApplicationBuilder builder)
    {
        if (MissingClusterConfiguration(builder.Configuration) is { } problem)
            throw new HeraldStartupException(problem);

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]) &&
            !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.AddHeraldSilo(SiloRole.Silo);
        return builder;
    }
}
