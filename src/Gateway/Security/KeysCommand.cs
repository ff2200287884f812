namespace Herald.Gateway.Security;

/// <summary>
/// <c>herald keys new [--name NAME] [--scopes push,manage,read,stream]</c>: prints a new API key, once, and the
/// configuration that holds only its hash.
/// </summary>
public static class KeysCommand
{
    public static bool TryRun(string[] args, TextWriter output, out int exitCode)
    {
        exitCode = 0;
        if (args.Length == 0 || args[0] != "keys")
            return false;
        if (args.Length < 2 || args[1] != "new")
        {
            output.WriteLine("usage: herald keys new [--name NAME] [--scopes push,manage,read,stream]");
            exitCode = 2;
            return true;
        }

        var name = Option(args, "--name") ?? "key-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var scopes = (Option(args, "--scopes") ?? string.Join(',', ApiScopes.All)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (scopes.FirstOrDefault(s => !ApiScopes.All.Contains(s)) is { } unknown)
        {
            output.WriteLine($"unknown scope '{unknown}'; use {string.Join(", ", ApiScopes.All)}");
            exitCode = 2;
            return true;
        }

        var key = ApiKeyAuthenticator.NewKey();
        output.WriteLine($"key:    {key}");
        output.WriteLine($"hash:   {ApiKeyAuthenticator.Hash(key)}");
        output.WriteLine($"scopes: {string.Join(',', scopes)}");
        output.WriteLine();
        output.WriteLine("Give the key to the client (it is not stored anywhere); put only the hash in the configuration:");
        output.WriteLine($"  Herald__Auth__Keys__0__Name={name}");
        output.WriteLine($"  Herald__Auth__Keys__0__Hash={ApiKeyAuthenticator.Hash(key)}");
        for (var i = 0; i < scopes.Length; i++)
            output.WriteLine($"  Herald__Auth__Keys__0__Scopes__{i}={scopes[i]}");
        return true;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
