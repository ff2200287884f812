using Herald.Contracts;
using Orleans.Concurrency;

namespace Herald;

/// <summary>
/// One per registered endpoint, keyed by endpoint id. It owns its cursor, retry schedule and circuit state, and
/// delivers in log order on its own.
/// </summary>
[Alias("Herald.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>
    /// <paramref name="entry"/>, just appended, is for this endpoint. A grain that has read the log up to the entry
    /// before it delivers it as it is, without reading the log; one that finds a gap reads the log up to it first. A
    /// push that waits for first attempts passes <paramref name="outcomes"/>, which hears how this endpoint's first
    /// attempt at the entry went, or at once that none can be made yet.
    /// </summary>
    [OneWay]
    [Alias("Deliver")]
    Task DeliverAsync(LogEntry entry, IFirstAttemptObserver? outcomes = null);

    /// <summary>The log may hold entries for this endpoint that no call carried: the grain reads it.</summary>
    [OneWay]
    [Alias("Wake")]
    Task WakeAsync();

    /// <summary>
    /// A wake that is answered once the grain runs: a sweep waits for it, and tries again when it does not come (a
    /// one-way wake to a grain whose silo just died is dropped while the directory still points there).
    /// </summary>
    [Alias("Resume")]
    Task ResumeAsync();

    /// <summary>Re-enables a disabled endpoint; delivery resumes from its cursor. False if it does not exist.</summary>
    [Alias("Enable")]
    Task<bool> EnableAsync();

    /// <summary>Redelivers from a point in the log; null when the endpoint does not exist (any more).</summary>
    [Alias("Replay")]
    Task<ReplayResult?> ReplayAsync(ReplayRequest request);

    /// <summary>The endpoint's delivery state as the grain holds it now (storage gets it a moment later); null when it does not exist.</summary>
    [AlwaysInterleave]
    [Alias("GetState")]
    Task<DeliveryState?> GetStateAsync();

    /// <summary>Stops delivery and removes the endpoint, its state and its attempt log.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync();
}
