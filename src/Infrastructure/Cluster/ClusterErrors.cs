using Orleans.Runtime.Messaging;

namespace Herald.Infrastructure.Cluster;

/// <summary>
/// Tells "the cluster cannot route this call right now" apart from real errors: a silo died or is stopping and the
/// membership or the grain directory has not caught up, so the call was rejected or timed out. Retrying shortly works.
/// </summary>
public static class ClusterErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or TimeoutException => true,
        _ when exception.InnerException is { } inner => IsTransient(inner),
        _ => false,
    };
}
