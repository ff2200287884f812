using System.Text.Json;
using Herald.Testing;

namespace Herald.McpBridge.Tests;

/// <summary>
/// The bridge as clients built on the official MCP TypeScript SDK use it (Claude Desktop, Cursor and many more):
/// TypeScriptClient/check-tools.mjs lists the tools, refuses boolean schemas, and calls every tool with valid
/// arguments (results checked against the declared output schema) and with bad ones.
/// </summary>
public sealed class TypeScriptClientTests
{
    private static readonly string ScriptDirectory = Path.Combine(RepositoryLayout.Root, "tests", "McpBridge.Tests", "TypeScriptClient");
    private const string GitHubSecret = "ts-check-secret";

    [Theory]
    [InlineData("stdio")]
    [InlineData("http")]
    public async Task The_typescript_sdk_client_lists_and_calls_every_tool_and_accepts_every_result(string transport)
    {
        await NodePackages.EnsureInstalledAsync(ScriptDirectory, Path.Combine("@modelcontextprotocol", "sdk"));
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await HeraldProcess.StartGatewayAsync("gateway-ts", new Dictionary<string, string>
        {
            ["Herald:Inbound:Sources:github:Scheme"] = "github",
            ["Herald:Inbound:Sources:github:Secrets:0"] = GitHubSecret,
            ["Herald:Inbound:Sources:ci:Scheme"] = "none",
            ["Herald:Inbound:Sources:ci:TypeHeader"] = "X-Event",
            ["Herald:Delivery:Timeout"] = "00:00:05",
        });
        await gateway.WaitReadyAsync();

        var environment = new Dictionary<string, string>
        {
            ["HERALD_BRIDGE_DLL"] = HeraldProcess.BuiltAssembly("McpBridge"),

            // Passed on to the bridge: a hub it starts for a call's host and port keeps nothing.
            ["Herald__Storage"] = "Memory",
            ["HERALD_GATEWAY_URL"] = gateway.BaseAddress.ToString(),
            ["HERALD_RECEIVER_URL"] = receiver.BaseAddress.ToString(),
            ["HERALD_GITHUB_SECRET"] = GitHubSecret,
            ["HERALD_GITHUB_PUSH"] = Path.Combine(AppContext.BaseDirectory, "Samples", "github-push.json"),
        };

        // Over HTTP, the bridge as a service would run it: its own key required of every caller.
        await using var bridge = transport == "http"
            ? await HeraldProcess.StartAsync("bridge-ts", "McpBridge", new Dictionary<string, string>
            {
                ["Herald:GatewayUrl"] = gateway.BaseAddress.ToString(),
                ["Herald:Storage"] = "Memory",
                ["Herald:Mcp:Keys:0:Name"] = "ts-check",
                ["Herald:Mcp:Keys:0:Hash"] = TestKeys.Hash(TestKeys.ByScope["all"]),
            }, ["--http"])
            : null;
        if (bridge is not null)
        {
            environment["HERALD_MCP_URL"] = new Uri(bridge.BaseAddress, "/mcp").ToString();
            environment["HERALD_MCP_KEY"] = TestKeys.ByScope["all"];
        }

        var (exitCode, output, errors) = await NodePackages.RunAsync(ScriptDirectory, "check-tools.mjs", environment);

        var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        var failures = report.GetProperty("failures").EnumerateArray().Select(f => f.GetString()).ToArray();
        Assert.True(exitCode == 0 && failures.Length == 0, $"exit {exitCode}; failures:\n{string.Join('\n', failures)}\n{errors}");
        Assert.Equal(29, report.GetProperty("tools").GetArrayLength());
        var calls = report.GetProperty("calls").EnumerateArray().ToArray();
        foreach (var tool in report.GetProperty("tools").EnumerateArray().Select(t => t.GetString()))
        {
            Assert.Contains(calls, c => c.GetProperty("tool").GetString() == tool && !c.GetProperty("expectError").GetBoolean());
            Assert.Contains(calls, c => c.GetProperty("tool").GetString() == tool && c.GetProperty("expectError").GetBoolean());
        }

        Assert.Contains(receiver.Requests, r => r.Message == "from the TypeScript SDK");
    }
}
