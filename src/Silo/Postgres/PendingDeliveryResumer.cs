using Herald.Runtime;
using Herald.Storage;
using Microsoft.Extensions.Hosting;

namespace Herald.Silo.Postgres;

/// <summary>
/// After a restart, wakes every enabled endpoint once so that messages accepted before the restart, and
/// retries that were scheduled, carry on from the committed cursors. Grains with nothing to do go idle again.
/// </summary>
internal sealed class PendingDeliveryResumer(IEndpointRegistry registry, IGrainFactory grains, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = ResumeAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in await registry.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (endpoint.Enabled)
                await grains.GetGrain<IWebhookGrain>(endpoint.Id).WakeAsync(0).ConfigureAwait(false);
        }
    }
}
