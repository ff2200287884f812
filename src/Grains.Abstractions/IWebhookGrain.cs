using Herald.Contracts;
using Herald.Runtime;

namespace Herald;

/// <summary>
/// One per registered endpoint, keyed by endpoint id. It owns its cursor, retry schedule and circuit state, and
/// delivers in log order on its own.
/// </summary>
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Message <paramref name="seq"/>, and maybe others, are in the log for this endpoint.</summary>
    [OneWay]
    Task WakeAsync(long seq);

    /// <summary>Re-enables a disabled endpoint; delivery resumes from its cursor. False if it does not exist.</summary>
    Task<bool> EnableAsync();

    /// <summary>Redelivers from a point in the log; null when the endpoint does not exist (any more).</summary>
    Task<ReplayResult?> ReplayAsync(ReplayRequest request);

    /// <summary>Stops delivery and removes the endpoint, its state and its attempt log.</summary>
    Task<bool> DeleteAsync();
}
