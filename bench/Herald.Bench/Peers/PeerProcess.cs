using System.Diagnostics;

namespace Herald.Bench.Peers;

/// <summary>A <see cref="PeerHost"/> child process: this same assembly, started with <c>peer &lt;role&gt;</c>.</summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, string greeting)
    {
        _process = process;
        Greeting = greeting;
    }

    public int Pid => _process.Id;

    /// <summary>The first line the peer printed: <c>listening &lt;url&gt;</c> or <c>ready</c>.</summary>
    public string Greeting { get; }

    public static async Task<PeerProcess> StartAsync(string role)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(PeerProcess).Assembly.Location);
        start.ArgumentList.Add(PeerHost.Verb);
        start.ArgumentList.Add(role);
        var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var greeting = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (greeting is null)
            throw new InvalidOperationException($"peer {role} exited at start: {await errors}");
        return new PeerProcess(process, greeting);
    }

    /// <summary>Sends one command and waits for the peer's one-line answer.</summary>
    public async Task<string> AskAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the peer exited");
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
