using System.Diagnostics;

namespace Herald.McpBridge.Tests;

/// <summary>Node.js and the npm packages a client test needs: installed from the lock file when missing.</summary>
internal static class NodePackages
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>Runs <c>npm ci</c> in <paramref name="directory"/> unless <paramref name="package"/> is installed there already.</summary>
    public static async Task EnsureInstalledAsync(string directory, string package)
    {
        await Installing.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(directory, "node_modules", package)))
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

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string directory, IReadOnlyDictionary<string, string> environment, string command, string[] arguments)
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
