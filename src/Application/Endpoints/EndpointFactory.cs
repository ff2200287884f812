using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.MessageLog;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Application.Endpoints;

/// <summary>Creates endpoints for both WebhookMCP's API and Herald's own, so both start their cursor the same way.</summary>
public sealed class EndpointFactory(IEndpointRegistry registry, IMessageLog log, DeliveryHttpClient delivery, TimeProvider time, IOptions<LimitsOptions> limits)
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Why Herald could never deliver to <paramref name="url"/> (an already valid absolute URL): the SSRF guard
    /// refuses every address its host has. Null when deliveries can reach it, or when DNS cannot tell yet.
    /// </summary>
    public ValueTask<string?> UnreachableAsync(string url, CancellationToken cancellationToken) =>
        delivery.Guard.RefusalAsync(new Uri(url).DnsSafeHost, ResolveTimeout, cancellationToken);

    /// <summary>
    /// Registers <paramref name="url"/> unless it is registered already. Returns the stored endpoint and whether
    /// this call created it, or the refusal when the endpoint limit is reached.
    /// </summary>
    public async Task<(EndpointDefinition? Endpoint, bool Created, UseCaseError? Refusal)> CreateAsync(
        string url, IReadOnlyList<string> topics, string? secret, IReadOnlyDictionary<string, string>? headers, string? description,
        CancellationToken cancellationToken)
    {
        var existing = await registry.FindByUrlAsync(url, cancellationToken);
        if (existing is not null)
            return (existing, false, null);
        if (await registry.CountAsync(cancellationToken) >= limits.Value.MaxEndpoints)
        {
            return (null, false, UseCaseError.Conflict("Endpoint limit reached",
                $"Herald already has the maximum of {limits.Value.MaxEndpoints} endpoints (Herald:Limits:MaxEndpoints)."));
        }

        var bounds = await log.GetBoundsAsync(cancellationToken);
        var (endpoint, created) = await registry.AddAsync(new EndpointDefinition
        {
            Id = "ep_" + Guid.CreateVersion7().ToString("N"),
            Url = url,
            Topics = topics,
            Secret = secret,
            Headers = headers ?? new Dictionary<string, string>(),
            Description = description,
            CreatedAt = time.GetUtcNow(),
            StartAfterSeq = bounds.Head,
        }, cancellationToken);
        return (endpoint, created, null);
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken) => await registry.CountAsync(cancellationToken);
}
