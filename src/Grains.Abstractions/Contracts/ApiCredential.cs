namespace Herald.Contracts;

/// <summary>How an Orleans client presents its API key to <see cref="IHeraldApiGrain"/>.</summary>
public static class ApiCredential
{
    /// <summary>
    /// The <see cref="Orleans.Runtime.RequestContext"/> entry that carries the key with each call. The entry grain takes
    /// it out before it runs, so it never travels on with the calls that grain makes.
    /// </summary>
    public const string RequestContextKey = "herald.api-key";
}
