namespace Herald.Infrastructure.Storage;

/// <summary>An endpoint registry whose storage may hold secrets written in plain text by a Herald older than sealing.</summary>
internal interface IPlainSecretSealer
{
    /// <summary>
    /// Seals every plain value and opens every sealed one (so a key ring that cannot read the data is found at start);
    /// returns how many endpoints it sealed. Safe to run from several processes at once.
    /// </summary>
    /// <exception cref="StoredSecretException">A sealed value does not open with this key ring.</exception>
    Task<int> SealPlainSecretsAsync(CancellationToken cancellationToken);
}
