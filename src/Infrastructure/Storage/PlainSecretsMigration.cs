using Herald.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Before the silo starts: seals the endpoint secrets an older Herald stored in plain text, and opens every sealed one,
/// so a process given the wrong key ring stops at once with a message instead of sending unsigned deliveries later.
/// </summary>
internal sealed partial class PlainSecretsMigration(IEndpointRegistry registry, string keyRing, ILogger<PlainSecretsMigration> logger) : IHostedService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (registry is not IPlainSecretSealer sealer)
            return;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var sealedCount = await sealer.SealPlainSecretsAsync(cancellationToken).ConfigureAwait(false);
                if (sealedCount > 0)
                    Sealed(logger, sealedCount, keyRing);
                return;
            }
            catch (StoredSecretException exception)
            {
                throw new HeraldStartupException(
                    $"Herald cannot open the endpoint secrets in its storage with the key ring in {keyRing}: they were encrypted with a key it does not hold. " +
                    "Restore the key ring that was kept with this data (a backup of the data needs its key ring too), or delete the endpoints and register them again.", exception);
            }
            catch (Exception exception) when (StorageErrors.IsUnavailable(exception) && !cancellationToken.IsCancellationRequested)
            {
                StorageUnavailable(logger, exception, delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4130, Level = LogLevel.Information, Message = "Encrypted the secrets and header values of {Count} endpoints stored in plain text by an older Herald (key ring: {KeyRing})")]
    private static partial void Sealed(ILogger logger, int count, string keyRing);

    [LoggerMessage(EventId = 4131, Level = LogLevel.Warning, Message = "Storage is unavailable while checking the endpoints' secrets; retrying in {Delay}")]
    private static partial void StorageUnavailable(ILogger logger, Exception exception, TimeSpan delay);
}
