using System.ComponentModel.DataAnnotations;

namespace Herald.Gateway.Sse;

/// <summary>Server-Sent Events settings, bound from <c>Herald:Sse</c>.</summary>
public sealed class SseOptions
{
    public const string Section = "Herald:Sse";

    /// <summary>A <c>: keepalive</c> comment goes to every listener this often, so proxies keep the connection open.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Frames buffered per listener. A listener that falls this far behind is disconnected; its client reconnects
    /// with Last-Event-ID and replays from the log, so nobody else waits for it.
    /// </summary>
    [Range(1, 1_000_000)]
    public int BufferCapacity { get; set; } = 1024;

    /// <summary>The reconnection delay suggested to EventSource clients (the SSE <c>retry:</c> field).</summary>
    [Range(0, 600_000)]
    public int RetryMilliseconds { get; set; } = 3000;

    /// <summary>The most SSE listeners this gateway serves at once (429 beyond it).</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>The most SSE listeners from one IP address (429 beyond it).</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerIp { get; set; } = 1_000;

    /// <summary>How many log entries one replay read fetches.</summary>
    [Range(1, 100_000)]
    public int ReplayBatchSize { get; set; } = 500;

    /// <summary>How long the hub waits before reading the log again after a read failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan FaultBackoff { get; set; } = TimeSpan.FromSeconds(1);
}
