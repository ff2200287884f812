using Herald.Grains.Inbound;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Enforces each inbound source's retention (<c>MaxEvents</c>, <c>MaxAge</c>). Every process may run it; deleting
/// what another already deleted is harmless.
/// </summary>
internal sealed partial class InboundRetention(
    IInboundEventStore store, IOptionsMonitor<InboundOptions> options, TimeProvider time, ILogger<InboundRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.PruneInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await PruneOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    PruneFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task PruneOnceAsync(CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var defaults = new InboundSourceOptions();
        foreach (var stats in await store.SourcesAsync(cancellationToken).ConfigureAwait(false))
        {
            var source = current.Sources.TryGetValue(stats.Source, out var configured) ? configured : defaults;
            var pruned = await store.PruneAsync(stats.Source, source.MaxEvents, time.GetUtcNow() - source.MaxAge, cancellationToken).ConfigureAwait(false);
            if (pruned > 0)
                Pruned(logger, pruned, stats.Source);
        }
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Pruned {Count} inbound events of source {Source}")]
    private static partial void Pruned(ILogger logger, long count, string source);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "Inbound retention failed; it runs again at the next interval")]
    private static partial void PruneFailed(ILogger logger, Exception exception);
}
