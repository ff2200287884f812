using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Runtime;

/// <summary>Deactivates activations that have been idle for the idle timeout, so idle grains cost no memory.</summary>
internal sealed class IdleCollector(GrainCatalog catalog, IOptions<GrainRuntimeOptions> options, ILogger<IdleCollector> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CollectionInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // A fault here must never escape: a failed BackgroundService stops the whole host.
                try
                {
                    foreach (var activation in catalog.Activations)
                    {
                        if (activation.IsIdleFor(options.Value.IdleTimeout))
                            activation.RequestDeactivation(force: false);
                    }
                }
                catch (Exception exception)
                {
                    Log.CollectionFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
