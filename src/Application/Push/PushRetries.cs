using System.Diagnostics;
using Herald.Contracts;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Storage;

namespace Herald.Application.Push;

/// <summary>
/// Sends pushes to their broadcaster, and again, under the same idempotency key, while they fail for a reason that
/// passes: storage away (a database restart), or a silo gone and the cluster not yet re-routed. A try whose outcome is
/// unknown may have committed; the next finds its entry by the key instead of appending twice, and the push is
/// answered as if the first try had worked. An embedded push has no key and needs none: a local write that failed
/// committed nothing. Once one push has tried for the whole window in vain, the next ones try once each until one
/// succeeds, so a long outage answers 503 at once instead of holding every push for the window.
/// </summary>
public sealed class PushRetries(IGrainFactory grains)
{
    /// <summary>How long a push keeps trying: a database restart or a silo's death is usually over within it.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);
    private int _outage;

    public async Task<PushReceipt> PushAsync(PushCommand command)
    {
        var broadcaster = grains.GetGrain<IBroadcasterGrain>(command.Topic);
        var window = Volatile.Read(ref _outage) == 1 ? TimeSpan.Zero : Window;
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                var receipt = await broadcaster.PushAsync(command);
                Volatile.Write(ref _outage, 0);
                return receipt;
            }
            catch (Exception exception) when (IsPassing(exception))
            {
                if (Stopwatch.GetElapsedTime(started) + delay >= window)
                {
                    Volatile.Write(ref _outage, 1);
                    throw;
                }

                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
                command = command with { Retry = true };
            }
        }
    }

    // No request token reaches the grain call, so a cancellation is Orleans's: it gave up waiting for the directory.
    public static bool IsPassing(Exception exception) =>
        StorageErrors.IsUnavailable(exception) || ClusterErrors.IsTransient(exception) || exception is OperationCanceledException;
}
