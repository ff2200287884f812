using Herald.Contracts;
using Herald.Storage;
using Herald.Streams;

namespace Herald.Grains.Webhooks;

/// <summary>
/// Reads endpoint status from storage rather than from the grains, so listing endpoints activates none of them
/// and works whichever silo owns them.
/// </summary>
public sealed class EndpointStatusReader(IEndpointRegistry registry, IGrainStorage storage, IStreamLog log)
{
    public async Task<EndpointStatus?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var endpoint = await registry.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return endpoint is null ? null : await BuildAsync(endpoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of endpoints in registration order: up to <paramref name="limit"/> after the endpoint
    /// <paramref name="afterId"/>, optionally only the one registered for <paramref name="url"/>. Null when
    /// <paramref name="afterId"/> names no endpoint. Definitions are cheap to list; the status of each endpoint
    /// costs reads, so only the page's statuses are built.
    /// </summary>
    public async Task<EndpointPage?> ListAsync(string? afterId, int limit, string? url = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<EndpointDefinition> endpoints = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        if (url is not null)
            endpoints = endpoints.Where(e => string.Equals(e.Url, url, StringComparison.Ordinal)).ToArray();
        var start = 0;
        if (afterId is not null)
        {
            var index = -1;
            for (var i = 0; i < endpoints.Count && index < 0; i++)
            {
                if (string.Equals(endpoints[i].Id, afterId, StringComparison.Ordinal))
                    index = i;
            }

            if (index < 0)
                return null;
            start = index + 1;
        }

        var count = Math.Max(0, Math.Min(limit, endpoints.Count - start));
        var statuses = new EndpointStatus[count];
        for (var i = 0; i < count; i++)
            statuses[i] = await BuildAsync(endpoints[start + i], cancellationToken).ConfigureAwait(false);
        var next = start + count < endpoints.Count && count > 0 ? statuses[^1].Id : null;
        return new EndpointPage(statuses, endpoints.Count, next);
    }

    public async Task<EndpointStatus> BuildAsync(EndpointDefinition endpoint, CancellationToken cancellationToken)
    {
        var state = await storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, endpoint.Id, cancellationToken).ConfigureAwait(false)
            ?? DeliveryState.Initial(endpoint);
        var lag = await log.CountAsync(state.Cursor, endpoint.Filter, cancellationToken).ConfigureAwait(false);
        return new EndpointStatus
        {
            Id = endpoint.Id,
            Url = endpoint.Url,
            Topics = endpoint.Topics,
            HasSecret = endpoint.Secret is not null,
            Headers = endpoint.Headers,
            Description = endpoint.Description,
            CreatedAt = endpoint.CreatedAt,
            Enabled = endpoint.Enabled,
            DisabledReason = endpoint.DisabledReason,
            DisabledAt = endpoint.DisabledAt,
            Cursor = state.Cursor,
            Lag = lag,
            ConsecutiveFailures = state.ConsecutiveFailures,
            NextRetryAt = state.NextAttemptAt,
            Delivered = state.Delivered,
            Failed = state.Failed,
            SkippedByRetention = state.SkippedByRetention,
            LastAttempt = state.LastAttempt,
        };
    }
}

/// <summary>A page of endpoint statuses, how many endpoints there are in all, and the id to pass as <c>after</c> for the next page.</summary>
public sealed record EndpointPage(IReadOnlyList<EndpointStatus> Endpoints, int Total, string? Next);
