using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Herald.Testing;

namespace Herald.McpBridge.Tests;

/// <summary>
/// The built bridge as a child process spoken to with raw JSON-RPC lines over stdio: for what a test must do below
/// the SDK client (close stdin at a chosen moment, send SIGTERM, pick the protocol revision).
/// </summary>
public sealed class BridgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _messages = [];
    private readonly Task _reading;

    private BridgeProcess(Process process)
    {
        _process = process;
        _reading = ReadAsync();
        _ = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    public static BridgeProcess Start(string? gatewayUrl = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HeraldProcess.BuiltAssembly("McpBridge"));
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Herald__Storage"] = "Memory";
        if (gatewayUrl is not null)
            start.Environment["Herald__GatewayUrl"] = gatewayUrl;
        return new BridgeProcess(Process.Start(start)!);
    }

    public async Task SendAsync(string json)
    {
        await _process.StandardInput.WriteLineAsync(json);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes stdin: the end of input a client gives when it is done.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    public async Task TerminateAsync()
    {
        using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await term.WaitForExitAsync();
    }

    /// <summary>Every message the bridge wrote, once it has exited.</summary>
    public async Task<IReadOnlyList<JsonElement>> ExitedAsync()
    {
        using var timeout = new CancellationTokenSource(Eventually.Timeout);
        await _process.WaitForExitAsync(timeout.Token);
        await _reading;
        lock (_messages)
            return [.. _messages];
    }

    /// <summary>The answer to request <paramref name="id"/>, once it arrives.</summary>
    public async Task<JsonElement> AnswerAsync(int id)
    {
        JsonElement answer = default;
        await Eventually.TrueAsync(() =>
        {
            lock (_messages)
                answer = _messages.FirstOrDefault(m => m.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id);
            return answer.ValueKind == JsonValueKind.Object;
        }, $"the bridge answered request {id}");
        return answer;
    }

    public static string Request(int id, string method, object? parameters = null) =>
        JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters ?? new { } });

    public static string Initialize(int id, string protocolVersion) =>
        Request(id, "initialize", new { protocolVersion, capabilities = new { }, clientInfo = new { name = "raw-test", version = "1.0" } });

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_messages)
                _messages.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
