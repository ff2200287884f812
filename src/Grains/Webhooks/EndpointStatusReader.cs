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
    /// One page of endpoints in registration order: up to <paramref name="limit"/> registered after the one at
    /// <paramref name="afterOrdinal"/> (a page's <c>next</c>, which stays valid if that endpoint is deleted),
    /// optionally only the one registered for <paramref name="url"/>. Definitions are cheap to list; the status
    /// of each endpoint costs reads, so only the page's statuses are built.
    /// </summary>
    public async Task<EndpointPage> ListAsync(long afterOrdinal, int limit, string? url = null, CancellationToken cancellationToken = default)
    {
        var endpoints = (await registry.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => url is null || string.Equals(e.Url, url, StringComparison.Ordinal))
            .ToArray();
        var rest = endpoints.Where(e => e.Ordinal > afterOrdinal).ToArray();
        var page = rest.Take(limit).ToArray();
        var statuses = new EndpointStatus[page.Length];
        for (var i = 0; i < page.Length; i++)
            statuses[i] = await BuildAsync(page[i], cancellationToken).ConfigureAwait(false);
        var next = rest.Length > page.Length ? page[^1].Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new EndpointPage(statuses, endpoints.Length, next);
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

/// <summary>A page of endpoint statuses, how many endpoints there are in all, and the cursor to pass as <c>after</c> for the next page.</summary>
public sealed record EndpointPage(IReadOnlyList<EndpointStatus> Endpoints, int Total, string? Next);
