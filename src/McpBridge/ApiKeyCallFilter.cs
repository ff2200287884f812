using Herald.Contracts;

namespace Herald.McpBridge;

/// <summary>Sends the bridge's API key with each call on the cluster's entry grain, and with nothing else.</summary>
public sealed class ApiKeyCallFilter(string key) : IOutgoingGrainCallFilter
{
    // Async, so the key set here stays in this call's request context and does not leak into the caller's.
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod.DeclaringType == typeof(IHeraldApiGrain))
            RequestContext.Set(ApiCredential.RequestContextKey, key);
        await context.Invoke();
    }
}
