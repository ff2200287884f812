using System.Diagnostics;
using Herald.Testing;

namespace Herald.Cluster.Tests.Infrastructure;

/// <summary>The built benchmark harness, run as a process of its own from the repository's root, as the README runs it.</summary>
internal static class BenchProcess
{
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var harness = RepositoryLayout.BuiltAssembly(Path.Combine("bench", "Herald.Bench"), "Herald.Bench");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryLayout.Root };
        start.ArgumentList.Add(harness);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await errors);
    }
}
