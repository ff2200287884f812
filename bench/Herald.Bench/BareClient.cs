using System.Diagnostics;
using System.Text;

namespace Herald.Bench;

/// <summary>
/// The physical limit of a fan-out: a bare <see cref="HttpClient"/> posting one body to every receiver at once,
/// with no broker, no signature and no bookkeeping.
/// </summary>
public sealed class BareClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue });

    /// <summary>Posts message <paramref name="id"/> to receivers 0…n-1; the seconds until the last one has it.</summary>
    public async Task<double> BurstAsync(Receivers receivers, int n, long id)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"message\":\"limit\",\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"id\":{id},\"topic\":\"default\"}}");
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            (await _http.PostAsync(receivers.Url(i), content)).Dispose();
        }));
        var arrivals = receivers.For(id);
        if (!await arrivals.WaitForAsync(n, Scenarios.DeliveryDeadline))
            throw new TimeoutException($"bare client, {n} receivers: {arrivals.Count} of {n} arrived.");
        return Stopwatch.GetElapsedTime(start, arrivals.Times.Max()).TotalSeconds;
    }

    public void Dispose() => _http.Dispose();
}
