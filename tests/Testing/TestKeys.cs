using System.Security.Cryptography;
using System.Text;

namespace Herald.Testing;

/// <summary>
/// One API key per scope plus one with every scope, configured as an operator configures them: a name, the hex
/// SHA-256 of the key (never the key), and the scopes.
/// </summary>
public static class TestKeys
{
    /// <summary>The API's scopes, as the README lists them.</summary>
    public static readonly string[] Scopes = ["push", "manage", "read", "stream"];

    public static readonly Dictionary<string, string> ByScope = Scopes.Append("all").ToDictionary(s => s, _ => New());

    /// <summary>The name each key is configured under: <c>key-push</c>, …, <c>key-all</c>.</summary>
    public static string Name(string scope) => $"key-{scope}";

    public static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>();
        var index = 0;
        foreach (var (scope, key) in ByScope)
        {
            settings[$"Herald:Auth:Keys:{index}:Name"] = Name(scope);
            settings[$"Herald:Auth:Keys:{index}:Hash"] = Hash(key);
            var scopes = scope == "all" ? Scopes : [scope];
            for (var s = 0; s < scopes.Length; s++)
                settings[$"Herald:Auth:Keys:{index}:Scopes:{s}"] = scopes[s];
            index++;
        }

        return settings;
    }

    /// <summary><see cref="Settings"/> for a child process's command line, which takes no null values.</summary>
    public static Dictionary<string, string> ProcessSettings() => Settings().ToDictionary(s => s.Key, s => s.Value!);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string New() => "hk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
