using System.ComponentModel.DataAnnotations;

namespace Herald.Application;

/// <summary>Request limits, bound from <c>Herald:Limits</c>. Exceeding one gets a 4xx that names it.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Herald:Limits";

    /// <summary>Largest JSON request body the API reads; larger bodies get 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest message a push may carry, in characters.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxMessageLength { get; set; } = 256 * 1024;

    [Range(16, 65536)]
    public int MaxUrlLength { get; set; } = 2048;

    [Range(1, 10_000_000)]
    public int MaxEndpoints { get; set; } = 100_000;

    [Range(1, 1000)]
    public int MaxTopicsPerSubscription { get; set; } = 50;

    [Range(0, 100)]
    public int MaxCustomHeaders { get; set; } = 20;

    [Range(1, 65536)]
    public int MaxHeaderValueLength { get; set; } = 4096;

    [Range(1, 10_000)]
    public int MaxDescriptionLength { get; set; } = 500;

    /// <summary>API requests per minute for one client: per API key when one is sent, per IP address otherwise.</summary>
    [Range(1, 10_000_000)]
    public int RequestsPerMinute { get; set; } = 6000;

    /// <summary>The most bytes of request headers Kestrel accepts (431 beyond it).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>The longest request line (method, URL, version) Kestrel accepts (414 beyond it).</summary>
    [Range(256, 1024 * 1024)]
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;
}
