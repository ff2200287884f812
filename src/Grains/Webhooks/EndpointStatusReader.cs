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

    public async Task<IReadOnlyList<EndpointStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        var endpoints = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        var statuses = new EndpointStatus[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
            statuses[i] = await BuildAsync(endpoints[i], cancellationToken).ConfigureAwait(false);
        return statuses;
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
