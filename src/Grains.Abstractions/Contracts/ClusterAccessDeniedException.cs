namespace Herald.Contracts;

/// <summary>
/// A grain call an Orleans client may not make: clients reach the cluster through <see cref="IHeraldApiGrain"/>
/// only, which applies the API's keys and rules; every other grain is internal to the cluster.
/// </summary>
[GenerateSerializer]
[Alias("Herald.ClusterAccessDeniedException")]
public sealed class ClusterAccessDeniedException : Exception
{
    public ClusterAccessDeniedException()
    {
    }

    public ClusterAccessDeniedException(string message)
        : base(message)
    {
    }

    public ClusterAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
