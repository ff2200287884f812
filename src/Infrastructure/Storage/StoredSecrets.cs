using System.Security.Cryptography;
using Herald.Contracts;
using Microsoft.AspNetCore.DataProtection;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Seals an endpoint's secret and custom header values with Data Protection before they are stored, and opens them
/// when they are read. Header names stay readable: they say what a receiver expects, not what it accepts. A sealed value
/// carries <see cref="Marker"/>, so a row written before sealing existed reads as it is until
/// <see cref="PlainSecretsMigration"/> seals it.
/// </summary>
public sealed class StoredSecrets(IDataProtectionProvider provider)
{
    public const string Marker = "enc:dp1:";

    // Part of every sealed value's key: changing it makes every stored secret unreadable.
    private const string Purpose = "Herald.Endpoints.Secrets.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>Loads the key ring now, making its first key if it has none, instead of at the first secret stored.</summary>
    public void LoadKeyRing() => _protector.Protect([]);

    public static bool IsSealed(string? value) => value is not null && value.StartsWith(Marker, StringComparison.Ordinal);

    public string? Seal(string? value) => value is null ? null : Marker + _protector.Protect(value);

    /// <exception cref="StoredSecretException">The value was sealed with a key this process's key ring lacks.</exception>
    public string? Open(string? stored)
    {
        if (!IsSealed(stored))
            return stored;
        try
        {
            return _protector.Unprotect(stored![Marker.Length..]);
        }
        catch (CryptographicException exception)
        {
            throw new StoredSecretException(exception);
        }
    }

    public Dictionary<string, string> Seal(IReadOnlyDictionary<string, string> headers) =>
        headers.ToDictionary(h => h.Key, h => Seal(h.Value)!, StringComparer.Ordinal);

    public Dictionary<string, string> Open(IReadOnlyDictionary<string, string> headers) =>
        headers.ToDictionary(h => h.Key, h => Open(h.Value)!, StringComparer.Ordinal);

    /// <summary>Whether a stored row still holds a value in plain text.</summary>
    public static bool HasPlain(string? secret, IReadOnlyDictionary<string, string> headers) =>
        (secret is not null && !IsSealed(secret)) || headers.Values.Any(v => !IsSealed(v));

    /// <summary>The endpoint as read from storage, its secrets opened.</summary>
    public EndpointDefinition Open(EndpointDefinition stored) => stored with { Secret = Open(stored.Secret), Headers = Open(stored.Headers) };
}

/// <summary>A stored secret that the key ring cannot open: its key was lost, or the ring belongs to other data.</summary>
public sealed class StoredSecretException(CryptographicException innerException)
    : Exception("An endpoint's secret was encrypted with a Data Protection key this process does not have; its key ring is not the one the data was written with.", innerException);
