using System.ComponentModel.DataAnnotations;

namespace Herald.Infrastructure.Security;

/// <summary>
/// API keys, bound from <c>Herald:Auth</c>. With no keys configured every API call is open (the embedded default,
/// on 127.0.0.1); with keys, every API call needs <c>Authorization: Bearer &lt;key&gt;</c> with the right scope.
/// </summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Herald:Auth";

    public List<ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>Whether <c>/stream</c> stays open when keys exist. Off by default: listeners need the stream scope.</summary>
    public bool PublicStream { get; set; }

    /// <summary>
    /// Let a process that listens beyond loopback run with no keys, its API open to whoever reaches it. Without it,
    /// such a process refuses to start; on loopback (the embedded default) no keys are needed either way.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    public bool Enabled => Keys.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Keys.Count; i++)
        {
            var key = Keys[i];
            foreach (var error in KeyOptionsValidation.NameAndHash(i, key.Name, key.Hash, "herald keys new"))
                yield return error;
            foreach (var scope in key.Scopes.Where(s => !ApiScopes.All.Contains(s)))
                yield return new ValidationResult($"Keys[{i}] ({key.Name}): unknown scope '{scope}'; use {string.Join(", ", ApiScopes.All)}.", [$"Keys:{i}:Scopes"]);
        }

        foreach (var duplicate in Keys.GroupBy(k => k.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            yield return new ValidationResult($"Key name '{duplicate.Key}' is used twice.", ["Keys"]);
    }
}

/// <summary>One key: a name for logs and rate limits, the SHA-256 of the secret (never the secret), and its scopes.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;

    public string[] Scopes { get; set; } = [];
}

public static class ApiScopes
{
    public const string Push = "push";
    public const string Manage = "manage";
    public const string Read = "read";
    public const string Stream = "stream";

    public static readonly string[] All = [Push, Manage, Read, Stream];
}
