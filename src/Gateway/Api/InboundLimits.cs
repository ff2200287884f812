using System.Net;
using System.Threading.RateLimiting;

namespace Herald.Gateway.Api;

/// <summary>
/// The two budgets of <c>POST /webhook/{source}</c>. A source's verified deliveries spend its own
/// (<c>PermitsPerMinute</c>); requests that fail verification or name no source spend their client address's
/// (<c>Herald:Inbound:UnverifiedPermitsPerMinute</c>). So a flood of unsigned requests stops at its sender and never
/// makes GitHub's next signed delivery (which it does not retry) a 429.
/// </summary>
public sealed class InboundLimits : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<(string Source, int Permits)> _verified = PartitionedRateLimiter.Create<(string Source, int Permits), (string, int)>(
        key => RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions { PermitLimit = k.Item2, Window = Window, QueueLimit = 0 }));

    private readonly PartitionedRateLimiter<(string Client, int Permits)> _unverified = PartitionedRateLimiter.Create<(string Client, int Permits), (string, int)>(
        key => RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions { PermitLimit = k.Item2, Window = Window, QueueLimit = 0 }));

    /// <summary>Spends one of this client's unverified requests; when none is left, how long until one is.</summary>
    public TimeSpan? Unverified(IPAddress? client, int permits) => Refused(_unverified.AttemptAcquire((Client(client), permits)));

    /// <summary>Spends one of the source's verified deliveries; when none is left, how long until one is.</summary>
    public TimeSpan? Verified(string source, int permits) => Refused(_verified.AttemptAcquire((source, permits)));

    public void Dispose()
    {
        _verified.Dispose();
        _unverified.Dispose();
    }

    private static string Client(IPAddress? address) => address?.ToString() ?? "unknown";

    private static TimeSpan? Refused(RateLimitLease lease)
    {
        using (lease)
            return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
    }
}
