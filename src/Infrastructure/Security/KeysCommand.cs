
namespace Herald.Infrastructure.Security;

/// <summary>
/// <c>herald keys new [--name NAME] [--scopes push,manage,read,stream]</c>: prints a new key, once, and the
/// configuration that holds only its hash: an API key of the gateway, or (<paramref name="section"/>
/// <c>Herald:Mcp</c>) a key of the MCP bridge, which has no scopes.
/// </summary>
public static class KeysCommand
{
    public const string ApiSection = "Herald:Auth";

    public static bool TryRun(string[] args, TextWriter output, out int exitCode, string section = ApiSection)
    {
        exitCode = 0;
        if (args.Length == 0 || args[0] != "keys")
            return false;
        var scoped = section == ApiSection;
        if (args.Length < 2 || args[1] != "new")
        {
            output.WriteLine(scoped ? "usage: herald keys new [--name NAME] [--scopes push,manage,read,stream]" : "usage: Herald.McpBridge keys new [--name NAME]");
            exitCode = 2;
            return true;
        }

        var name = Option(args, "--name") ?? "key-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var scopes = scoped ? (Option(args, "--scopes") ?? string.Join(',', ApiScopes.All)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        if (scopes.FirstOrDefault(s => !ApiScopes.All.Contains(s)) is { } unknown)
        {
            output.WriteLine($"unknown scope '{unknown}'; use {string.Join(", ", ApiScopes.All)}");
            exitCode = 2;
            return true;
        }

        var key = ApiKeyAuthenticator.NewKey();
        var prefix = section.Replace(":", "__", StringComparison.Ordinal) + "__Keys__0__";
        output.WriteLine($"key:    {key}");
        output.WriteLine($"hash:   {ApiKeyAuthenticator.Hash(key)}");
        if (scoped)
            output.WriteLine($"scopes: {string.Join(',', scopes)}");
        output.WriteLine();
        output.WriteLine("Give the key to the client (it is not stored anywhere); put only the hash in the configuration:");
        output.WriteLine($"  {prefix}Name={name}");
        output.WriteLine($"  {prefix}Hash={ApiKeyAuthenticator.Hash(key)}");
        for (var i = 0; i < scopes.Length; i++)
            output.WriteLine($"  {prefix}Scopes__{i}={scopes[i]}");
        return true;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
