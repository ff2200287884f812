using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Security;

/// <summary>
/// Finds the key a request presents. Keys are stored as SHA-256 hashes, so the lookup compares hashes: nothing
/// secret is compared, and a timing difference tells an attacker nothing about any key.
/// </summary>
public sealed class ApiKeyAuthenticator(IOptionsMonitor<AuthOptions> options)
{
    public const string AccessTokenParameter = "access_token";

    public bool Enabled => options.CurrentValue.Enabled;

    public bool PublicStream => options.CurrentValue.PublicStream;

    /// <summary>The key a request presents, from the bearer header (or, where allowed, the access_token query parameter).</summary>
    public ApiKeyOptions? Authenticate(HttpRequest request, bool allowQueryToken)
    {
        var token = BearerToken(request) ?? (allowQueryToken ? request.Query[AccessTokenParameter].FirstOrDefault() : null);
        return Find(token);
    }

    /// <summary>The configured key a token is, if any.</summary>
    public ApiKeyOptions? Find(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return null;
        var hash = Hash(token);
        return options.CurrentValue.Keys.FirstOrDefault(k => string.Equals(k.Hash, hash, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The bearer token of a request, if it sends one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => "hk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
