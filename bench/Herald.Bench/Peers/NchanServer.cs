using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Herald.Bench.Peers;

/// <summary>
/// Nchan, the nginx module, as the SSE peer: Debian's <c>nginx</c> with <c>libnginx-mod-nchan</c>, started on a free
/// loopback port with a configuration written here (one channel, an EventSource subscriber location and a
/// publisher location), one worker per core as nginx is run in production.
/// </summary>
public sealed class NchanServer : IAsyncDisposable
{
    private const string Nginx = "/usr/sbin/nginx";

    private static readonly string[] ModulePaths = ["/usr/lib/nginx/modules/ngx_nchan_module.so", "/usr/share/nginx/modules/ngx_nchan_module.so"];

    private readonly Process _process;
    private readonly string _folder;
    private readonly HttpClient _http;

    private NchanServer(Process process, string folder, Uri baseAddress)
    {
        _process = process;
        _folder = folder;
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>Why Nchan cannot run here, or null when it can.</summary>
    public static string? Missing =>
        !File.Exists(Nginx) ? $"{Nginx} is not installed (Debian: apt-get install nginx libnginx-mod-nchan)"
        : ModulePaths.All(p => !File.Exists(p)) ? "the nchan module is not installed (Debian: apt-get install libnginx-mod-nchan)"
        : null;

    /// <summary>The master and its workers.</summary>
    public int[] Pids => [_process.Id, .. ProcessCpu.Children(_process.Id)];

    public static async Task<NchanServer> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "herald-bench-nchan-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var module = ModulePaths.First(File.Exists);
        var config = string.Create(CultureInfo.InvariantCulture, $$"""
            load_module {{module}};
            daemon off;
            master_process on;
            worker_processes {{Environment.ProcessorCount}};
            worker_rlimit_nofile 65536;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 32768; }
            http {
                access_log off;
                client_body_temp_path {{folder}}/body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                keepalive_requests 10000000;
                server {
                    listen 127.0.0.1:{{port}};
                    location = /pub {
                        nchan_publisher;
                        nchan_channel_id bench;
                        nchan_message_buffer_length 128;
                    }
                    location = /sub {
                        nchan_subscriber eventsource;
                        nchan_channel_id bench;
                    }
                }
            }
            """);
        var configPath = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        var start = new ProcessStartInfo(Nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["-p", folder, "-c", configPath])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        var server = new NchanServer(process, folder, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"nginx exited ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()} {ErrorLog(folder)}");
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    public async Task PublishAsync(long token)
    {
        using var content = new StringContent(SseTraffic.Data(token));
        using var response = await _http.PostAsync("/pub", content);
        response.EnsureSuccessStatusCode();
    }

    private static string ErrorLog(string folder)
    {
        var path = Path.Combine(folder, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            // TERM: nginx's fast stop; a graceful one would wait on the open subscriber connections.
            using (var quit = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                await quit.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
