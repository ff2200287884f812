using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Herald.Infrastructure.Security;

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

    /// <summary>
    /// The rule every way into Herald applies (REST, SSE, <c>/metrics</c> and the Orleans entry grain): with keys
    /// configured, <paramref name="token"/> must be a key with <paramref name="scope"/>. <paramref name="howToSend"/>
    /// tells the caller how a key is presented on this way in.
    /// </summary>
    public ApiKeyCheck Check(string? token, string scope, string howToSend)
    {
        if (!Enabled)
            return ApiKeyCheck.Open;
        if (Find(token) is not { } key)
            return new ApiKeyCheck(StatusCodes.Status401Unauthorized, "Unauthorized", $"An API key is required: {howToSend}.", null, []);
        return key.Scopes.Contains(scope, StringComparer.Ordinal)
            ? new ApiKeyCheck(null, null, null, key.Name, key.Scopes)
            : new ApiKeyCheck(StatusCodes.Status403Forbidden, "Forbidden", $"The key '{key.Name}' lacks the '{scope}' scope this call needs.", key.Name, key.Scopes);
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => "hk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// What <see cref="ApiKeyAuthenticator.Check"/> decided: let through (<see cref="Status"/> null; the key's name and
/// scopes when keys are configured), or refused with 401 or 403 and a detail that says what is missing.
/// </summary>
public sealed record ApiKeyCheck(int? Status, string? Title, string? Detail, string? KeyName, IReadOnlyList<string> Scopes)
{
    public static readonly ApiKeyCheck Open = new(null, null, null, null, ApiScopes.All);

    public bool Allowed => Status is null;
}
