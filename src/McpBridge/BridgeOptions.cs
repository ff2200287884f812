using System.ComponentModel.DataAnnotations;

namespace Herald.McpBridge;

/// <summary>Where the bridge finds Herald, bound from <c>Herald</c> (env <c>Herald__GatewayUrl</c>, <c>Herald__ApiKey</c>).</summary>
public sealed class BridgeOptions
{
    public const string Section = "Herald";

    [Required]
    [Url]
    public string GatewayUrl { get; set; } = "http://127.0.0.1:8000";

    /// <summary>Sent as a bearer token when the gateway requires keys.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How often <c>wait_for_event</c> reports progress while it waits, to clients that asked for progress.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// In a cluster, how long a tool call waits for the bridge's Orleans client to connect before it answers an error:
    /// long enough for silos that are restarting, short enough that a refused certificate is reported at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ClusterConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan DefaultEndOfInputGrace = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Over stdio, how long the bridge still answers requests it read before its input ended (longer than the
    /// longest wait_for_event). Requests the client cancelled are not waited for.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan EndOfInputGrace { get; set; } = DefaultEndOfInputGrace;
}
