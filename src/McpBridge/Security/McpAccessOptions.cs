using System.ComponentModel.DataAnnotations;
using Herald.Infrastructure.Security;

namespace Herald.McpBridge.Security;

/// <summary>
/// Who may use the bridge over Streamable HTTP, bound from <c>Herald:Mcp</c>: the keys its callers present, and the
/// <c>Host</c> and <c>Origin</c> headers it answers, which keep web pages from reaching it by DNS rebinding.
/// </summary>
public sealed class McpAccessOptions : IValidatableObject
{
    public const string Section = "Herald:Mcp";

    /// <summary>Keys a caller presents as <c>Authorization: Bearer</c>; with none, callers need no key (loopback only).</summary>
    public List<McpKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// The <c>Host</c> names (or <c>name:port</c>) requests may carry. Default: the loopback names <c>localhost</c>,
    /// <c>127.0.0.1</c> and <c>[::1]</c>. <c>*</c> accepts any, for a bridge whose keys are its only gate.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// The browser origins (<c>scheme://host[:port]</c>) requests may come from. Default: any origin on a loopback name.
    /// A request without an <c>Origin</c> header (every non-browser client) is not judged by it.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    public bool RequiresKey => Keys.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Keys.Count; i++)
        {
            foreach (var error in KeyOptionsValidation.NameAndHash(i, Keys[i].Name, Keys[i].Hash, "Herald.McpBridge keys new"))
                yield return error;
        }

        foreach (var origin in AllowedOrigins.Where(o => o != "*" && !(Uri.TryCreate(o, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/" && uri.Scheme is "http" or "https")))
            yield return new ValidationResult($"AllowedOrigins: '{origin}' is not an origin such as https://app.example.com.", ["AllowedOrigins"]);
    }
}

/// <summary>One key of the bridge: a name for its logs, and the SHA-256 of the secret (never the secret).</summary>
public sealed class McpKeyOptions
{
    public string Name { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;
}
