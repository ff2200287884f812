using Herald.Storage;
using Microsoft.AspNetCore.DataProtection;

namespace Herald.Infrastructure.Storage;

internal static class StoredSecretsServiceCollectionExtensions
{
    /// <summary>
    /// Data Protection for the secrets a durable store keeps, with its key ring where <paramref name="keepKeys"/> puts it,
    /// and the start-up step that seals plain rows. Register it after the storage's own opening (or migration) and before
    /// the silo: hosted services start in order.
    /// </summary>
    public static IServiceCollection AddStoredSecrets(this IServiceCollection services, Action<IDataProtectionBuilder> keepKeys, string keyRingLocation)
    {
        // One name for every process and executable: by default Data Protection isolates each content root's keys.
        keepKeys(services.AddDataProtection().SetApplicationName("herald"));
        services.AddSingleton<StoredSecrets>();
        services.AddHostedService(sp => new PlainSecretsMigration(
            sp.GetRequiredService<IEndpointRegistry>(), keyRingLocation, sp.GetRequiredService<ILogger<PlainSecretsMigration>>()));
        return services;
    }
}
