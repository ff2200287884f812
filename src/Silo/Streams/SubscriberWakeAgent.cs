using Herald.Runtime;
using Herald.Storage;
using Herald.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Silo.Streams;

/// <summary>
/// The stream's pulling agent on this silo: it tails the log and wakes the webhook grains that subscribe to each
/// new message's topic and live here. A push therefore costs one append, and every silo wakes only its own
/// grains (in cluster mode, those of the partitions it owns), with no call from the pushing process to them.
/// </summary>
internal sealed partial class SubscriberWakeAgent(
    IStreamLog log,
    IEndpointRegistry registry,
    IGrainFactory grains,
    IGrainPlacement placement,
    Microsoft.Extensions.Options.IOptions<StreamOptions> options,
    ILogger<SubscriberWakeAgent> logger) : BackgroundService
{
    private const int BatchSize = 256;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long cursor = -1;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Starts at the head: earlier messages are found by the grains themselves, from their cursors,
                // when they are activated (by a later wake, or by the resume sweep after a restart).
                if (cursor < 0)
                    cursor = (await log.GetBoundsAsync(stoppingToken).ConfigureAwait(false)).Head;

                await log.WaitForAppendAsync(cursor, stoppingToken).ConfigureAwait(false);
                var batch = await log.ReadAsync(cursor, BatchSize, stoppingToken).ConfigureAwait(false);
                foreach (var message in batch)
                {
                    foreach (var endpoint in await registry.GetSubscribersAsync(message.Topic, stoppingToken).ConfigureAwait(false))
                    {
                        if (endpoint.StartAfterSeq < message.Seq && placement.IsLocal(typeof(IWebhookGrain), endpoint.Id))
                            _ = grains.GetGrain<IWebhookGrain>(endpoint.Id).WakeAsync(message.Seq);
                    }

                    cursor = message.Seq;
                }

                if (batch.Count == 0)
                    cursor = Math.Max(cursor, (await log.GetBoundsAsync(stoppingToken).ConfigureAwait(false)).Head);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                AgentFault(logger, exception);
                await Task.Delay(options.Value.FaultBackoff, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "The subscriber wake agent could not read the log; retrying")]
    private static partial void AgentFault(ILogger logger, Exception exception);
}
