using System.Diagnostics;
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

    [Fact]
    public async Task The_typescript_sdk_client_lists_and_calls_every_tool_and_accepts_every_result()
    {
        await NodePackages.EnsureInstalledAsync(ScriptDirectory);
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

        var (exitCode, output, errors) = await NodePackages.RunAsync(ScriptDirectory, "check-tools.mjs", new Dictionary<string, string>
        {
            ["HERALD_BRIDGE_DLL"] = HeraldProcess.BuiltAssembly("McpBridge"),

            // Passed on to the bridge: a hub it starts for a call's host and port keeps nothing.
            ["Herald__Storage"] = "Memory",
            ["HERALD_GATEWAY_URL"] = gateway.BaseAddress.ToString(),
            ["HERALD_RECEIVER_URL"] = receiver.BaseAddress.ToString(),
            ["HERALD_GITHUB_SECRET"] = GitHubSecret,
            ["HERALD_GITHUB_PUSH"] = Path.Combine(AppContext.BaseDirectory, "Samples", "github-push.json"),
        });

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

/// <summary>Node.js and the npm packages a client test needs: installed from the lock file when missing.</summary>
internal static class NodePackages
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    public static async Task EnsureInstalledAsync(string directory)
    {
        await Installing.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(directory, "node_modules", "@modelcontextprotocol", "sdk")))
                return;
            var (exitCode, output, errors) = await RunAsync(directory, new Dictionary<string, string>(), "npm", ["ci", "--no-audit", "--no-fund"]);
            Assert.True(exitCode == 0, $"npm ci in {directory} failed ({exitCode}); Node.js and npm are needed for the MCP client tests (.ci/run installs them):\n{output}{errors}");
        }
        finally
        {
            Installing.Release();
        }
    }

    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string directory, string script, IReadOnlyDictionary<string, string> environment) =>
        RunAsync(directory, environment, "node", [script]);

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string directory, IReadOnlyDictionary<string, string> environment, string command, string[] arguments)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"'{command}' could not be started ({exception.Message}): Node.js and npm are needed for the MCP client tests; .ci/run installs them.", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await errors);
        }
    }
}
