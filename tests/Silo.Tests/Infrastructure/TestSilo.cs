using Herald.Runtime;
using Herald.Silo.Hosting;
using Herald.Silo.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Silo.Tests.Infrastructure;

/// <summary>A started host with the grain runtime, the test's grains and a <see cref="GrainProbe"/>.</summary>
internal sealed class TestSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private TestSilo(IHost host) => _host = host;

    public IGrainFactory Factory => _host.Services.GetRequiredService<IGrainFactory>();

    public GrainCatalog Catalog => _host.Services.GetRequiredService<GrainCatalog>();

    public GrainProbe Probe => _host.Services.GetRequiredService<GrainProbe>();

    public static async Task<TestSilo> StartAsync(
        Action<IServiceCollection> addGrains,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Logging.ClearProviders();
        builder.Services.AddGrainRuntime();
        builder.Services.AddSingleton<GrainProbe>();
        addGrains(builder.Services);

        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
