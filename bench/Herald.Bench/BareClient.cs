using System.Diagnostics;
using System.Globalization;
using System.Text;
using Herald.Bench.Peers;

namespace Herald.Bench;

/// <summary>
/// The physical limit of a fan-out: a bare <see cref="HttpClient"/> posting one body to every receiver at once,
/// with no broker, no signature and no bookkeeping. It runs in a process of its own (<see cref="BarePeer"/>), so its
/// CPU is measured the way Herald's is.
/// </summary>
public sealed class BareClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue });

    /// <summary>Posts message <paramref name="id"/> to receivers 0…n-1 (see <see cref="Receivers.Url"/>) and waits for every answer.</summary>
    public async Task PostAllAsync(Uri receivers, int n, long id)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"message\":\"limit\",\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"id\":{id},\"topic\":\"default\"}}");
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            (await _http.PostAsync(Receivers.Url(receivers, i), content)).Dispose();
        }));
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The bare client as a child process, driven from the harness; the receivers stay in the harness.</summary>
public sealed class BarePeer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private BarePeer(PeerProcess process) => _process = process;

    public int Pid => _process.Pid;

    public static async Task<BarePeer> StartAsync() => new(await PeerProcess.StartAsync("bare-client"));

    /// <summary>Posts message <paramref name="id"/> to receivers 0…n-1; the seconds until the last one has it.</summary>
    public async Task<double> BurstAsync(Receivers receivers, int n, long id)
    {
        var start = Stopwatch.GetTimestamp();
        await _process.AskAsync(string.Create(CultureInfo.InvariantCulture, $"burst {receivers.BaseAddress} {n} {id}"));
        var arrivals = receivers.For(id);
        if (!await arrivals.WaitForAsync(n, Scenarios.DeliveryDeadline))
            throw new TimeoutException($"bare client, {n} receivers: {arrivals.Count} of {n} arrived.");
        return Stopwatch.GetElapsedTime(start, arrivals.Times.Max()).TotalSeconds;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
