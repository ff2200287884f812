using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Herald.Testing;

/// <summary>
/// A Herald executable (silo or gateway) as a real child process: <c>dotnet Herald.X.dll</c> on 127.0.0.1 port 0,
/// its address read from its own "Now listening on" line. Stops gracefully (SIGTERM) or is killed (SIGKILL).
/// </summary>
public sealed partial class HeraldProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly string? _ownDataPath;

    private HeraldProcess(string name, Process process, string? ownDataPath)
    {
        Name = name;
        _process = process;
        _ownDataPath = ownDataPath;
    }

    /// <summary>A fresh, empty folder for an embedded hub's data file (<c>Herald:DataPath</c>); the caller removes it.</summary>
    public static string NewDataPath() => Path.Combine(Path.GetTempPath(), "herald-data-" + Guid.NewGuid().ToString("N")[..12]);

    public string Name { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited; a process killed by a signal has 128 + the signal's number.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string Output => string.Join('\n', _output);

    public static Task<HeraldProcess> StartGatewayAsync(string name, IReadOnlyDictionary<string, string> settings) =>
        StartAsync(name, "Gateway", settings);

    public static Task<HeraldProcess> StartSiloAsync(string name, IReadOnlyDictionary<string, string> settings) =>
        StartAsync(name, "Silo", settings);

    /// <summary>
    /// Starts the built project. By default it runs in its output folder with the framework's logging at Warning;
    /// <paramref name="workingDirectory"/> and <paramref name="environment"/> (a null value removes a variable)
    /// start it as an operator might instead. An embedded hub keeps its data in a folder of its own, removed when it
    /// is disposed, unless the settings or the environment say where (or that it keeps nothing).
    /// </summary>
    public static async Task<HeraldProcess> StartAsync(
        string name, string project, IReadOnlyDictionary<string, string> settings, IEnumerable<string>? extraArguments = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var herald = Launch(name, project, settings, extraArguments, workingDirectory, environment);
        await herald.ListeningAsync(TimeSpan.FromSeconds(60));
        return herald;
    }

    /// <summary>Starts the built project as <see cref="StartAsync"/> does, without waiting for it to listen (<see cref="ListeningAsync"/>).</summary>
    public static HeraldProcess Launch(
        string name, string project, IReadOnlyDictionary<string, string> settings, IEnumerable<string>? extraArguments = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(BuiltAssembly(project))!,
        };
        start.ArgumentList.Add(BuiltAssembly(project));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in settings)
            start.ArgumentList.Add($"--{key}={value}");
        foreach (var argument in extraArguments ?? [])
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }

        // Never the user's own data folder, and never one another test process holds.
        string? ownDataPath = null;
        if (!settings.ContainsKey("ConnectionStrings:Postgres") && !settings.ContainsKey("Herald:DataPath") && !settings.ContainsKey("Herald:Storage")
            && !start.Environment.ContainsKey("Herald__DataPath") && !start.Environment.ContainsKey("ConnectionStrings__Postgres"))
        {
            ownDataPath = NewDataPath();
            start.Environment["Herald__DataPath"] = ownDataPath;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var herald = new HeraldProcess(name, process, ownDataPath);
        process.OutputDataReceived += (_, e) => herald.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => herald.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // The exit can be reported before the last lines it wrote are read: those lines say why it stopped.
            process.WaitForExit();
            herald._listening.TrySetException(new InvalidOperationException($"{name} exited ({process.ExitCode}) before listening:\n{herald.Output}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        return herald;
    }

    /// <summary>Waits until the process listens (its "Now listening on" line) and gives it a client; throws if it exits first.</summary>
    public async Task ListeningAsync(TimeSpan timeout)
    {
        BaseAddress = await _listening.Task.WaitAsync(timeout);
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Waits until the process has written a line containing <paramref name="text"/>.</summary>
    public Task SaidAsync(string text, TimeSpan timeout) =>
        Eventually.TrueAsync(() => _output.Any(line => line.Contains(text, StringComparison.Ordinal)), $"{Name} wrote \"{text}\"", timeout);

    /// <summary>Waits until <c>/readyz</c> answers 200: the process reaches the database and has joined the cluster.</summary>
    public Task WaitReadyAsync() => Eventually.TrueAsync(async () =>
    {
        if (HasExited)
            throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before it was ready:\n{Output}");
        try
        {
            using var response = await Client.GetAsync("/readyz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, $"{Name} is ready", TimeSpan.FromSeconds(60));

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: a clean shutdown (grains deactivate and write their state, the silo leaves Orleans membership).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        Client?.Dispose();
        _process.Dispose();
        if (_ownDataPath is not null && Directory.Exists(_ownDataPath))
            Directory.Delete(_ownDataPath, recursive: true);
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    /// <summary>The built output of a src project, next to this test assembly's configuration (Debug or Release).</summary>
    public static string BuiltAssembly(string project) => RepositoryLayout.BuiltAssembly(Path.Combine("src", project), $"Herald.{project}");

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
