using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Herald.Testing;

/// <summary>
/// A throwaway PostgreSQL for tests: initdb into a temp dir, pg_ctl on a free loopback port, one fresh database
/// per test. Runs the server as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses
/// to run as root. One server is shared per test process. A detached watchdog stops every server and removes
/// its directory once the test process is gone, however it ended: exit handlers do not run when the test
/// host is killed.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(() => StartDedicatedAsync());
    private static int _databases;
    private readonly string _binDirectory;
    private readonly string _dataDirectory;

    private readonly bool _crashSafeCommits;

    private PostgresServer(string binDirectory, string root, int port, bool crashSafeCommits)
    {
        _crashSafeCommits = crashSafeCommits;
        _binDirectory = binDirectory;
        Root = root;
        _dataDirectory = Path.Combine(root, "data");
        Port = port;
    }

    public string Root { get; }

    public int Port { get; }

    /// <summary>The server shared by every test in this process.</summary>
    public static Task<PostgresServer> SharedAsync() => SharedServer.Value;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "herald", Database = database, Pooling = true, Timeout = 5 }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"herald_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Stops the server: a clean fast shutdown, or with <paramref name="immediate"/> an abort like a crash (recovery runs at the next start).</summary>
    public Task StopAsync(bool immediate = false) => PgCtlAsync("stop", "-m", immediate ? "immediate" : "fast", "-w");

    public Task StartAgainAsync() => PgCtlAsync("start", "-w", "-l", Path.Combine(Root, "server.log"), "-o", ServerOptions());

    /// <summary>A server of its own, for tests that stop and restart PostgreSQL.</summary>
    /// <param name="crashSafeCommits">
    /// Keeps PostgreSQL's default synchronous commit, for tests that crash the server (<c>-m immediate</c>) and
    /// expect every acknowledged commit back. Otherwise commits are acknowledged before their WAL is written, which
    /// is faster and loses nothing at a clean stop.
    /// </param>
    public static async Task<PostgresServer> StartDedicatedAsync(bool crashSafeCommits = false)
    {
        var bin = FindBinDirectory();
        var root = Path.Combine(Path.GetTempPath(), $"herald-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (Environment.IsPrivilegedProcess)
            await RunAsync("chown", ["postgres:postgres", root], asPostgres: false);

        var server = new PostgresServer(bin, root, FreePort(), crashSafeCommits);
        server.StartWatchdog();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", server._dataDirectory, "-U", "herald", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        await server.StartAgainAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgCtlAsync("stop", "-m", "immediate", "-w");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(Root, recursive: true);
    }

    private void StartWatchdog()
    {
        var pgCtl = Path.Combine(_binDirectory, "pg_ctl");
        var stop = Environment.IsPrivilegedProcess ? $"runuser -u postgres -- '{pgCtl}'" : $"'{pgCtl}'";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; " +
                     $"{stop} -D '{_dataDirectory}' stop -m immediate >/dev/null 2>&1; rm -rf '{Root}'";
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["sh", "-c", script])
            start.ArgumentList.Add(argument);
        using var watchdog = Process.Start(start) ?? throw new InvalidOperationException("Could not start the PostgreSQL watchdog.");
    }

    private string ServerOptions() =>
        $"-p {Port} -c listen_addresses=127.0.0.1 -k {Root} -c fsync=off -c synchronous_commit={(_crashSafeCommits ? "on" : "off")} -c full_page_writes=off -c max_connections=300";

    private Task PgCtlAsync(params string[] arguments) =>
        RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, .. arguments]);

    private static string FindBinDirectory()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
                return directory;
        }

        // Debian keeps the server binaries outside PATH, one directory per major version.
        const string debian = "/usr/lib/postgresql";
        var newest = Directory.Exists(debian)
            ? Directory.GetDirectories(debian).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql. Install them: apt-get install -y postgresql");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && Environment.IsPrivilegedProcess)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", "postgres", "--", file, .. arguments])
                start.ArgumentList.Add(argument);
        }
        else
        {
            start.FileName = file;
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
