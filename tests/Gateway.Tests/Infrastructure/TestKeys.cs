using Herald.Gateway.Security;

namespace Herald.Gateway.Tests.Infrastructure;

/// <summary>One key per scope plus one with every scope, configured by hash as an operator would.</summary>
public static class TestKeys
{
    public static readonly Dictionary<string, string> ByScope = ApiScopes.All.Append("all").ToDictionary(s => s, _ => ApiKeyAuthenticator.NewKey());

    public static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>();
        var index = 0;
        foreach (var (scope, key) in ByScope)
        {
            settings[$"Herald:Auth:Keys:{index}:Name"] = $"key-{scope}";
            settings[$"Herald:Auth:Keys:{index}:Hash"] = ApiKeyAuthenticator.Hash(key);
            var scopes = scope == "all" ? ApiScopes.All : [scope];
            for (var s = 0; s < scopes.Length; s++)
                settings[$"Herald:Auth:Keys:{index}:Scopes:{s}"] = scopes[s];
            index++;
        }

        return settings;
    }
}
