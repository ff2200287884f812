using Herald.Contracts;
using Herald.Storage;
using Herald.MessageLog;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Herald.Grains.Webhooks;

/// <summary>
/// Builds endpoint status. One endpoint's status is read live from its grain. Lists read the grains' state from
/// storage instead, so listing endpoints activates none of them and works whichever silo hosts them; that state is
/// written behind, so a listed status is at most <see cref="Delivery.DeliveryOptions.StateWriteDelay"/> old.
/// </summary>
public sealed class EndpointStatusReader(
    IEndpointRegistry registry, [FromKeyedServices(DeliveryState.StorageName)] IGrainStorage storage, IMessageLog log, IGrainFactory grains)
{
    private static readonly GrainType WebhookGrainType = GrainType.Create(WebhookGrain.GrainTypeName);

    /// <summary>The endpoint's status now, from its grain; null when it does not exist.</summary>
    public async Task<EndpointStatus?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var endpoint = await registry.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (endpoint is null || await grains.GetGrain<IWebhookGrain>(id).GetStateAsync().WaitAsync(cancellationToken).ConfigureAwait(false) is not { } state)
            return null;
        return await BuildAsync(endpoint, state, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The status of an endpoint as its stored state tells.</summary>
    public async Task<EndpointStatus> BuildAsync(EndpointDefinition endpoint, CancellationToken cancellationToken) =>
        await BuildAsync(endpoint, await ReadStateAsync(endpoint).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<EndpointStatus> BuildAsync(EndpointDefinition endpoint, DeliveryState state, CancellationToken cancellationToken)
    {
        var lag = await log.CountAsync(state.Cursor, endpoint.Filter, cancellationToken).ConfigureAwait(false);
        return new EndpointStatus
        {
            Id = endpoint.Id,
            Url = endpoint.Url,
            Topics = endpoint.Topics,
            HasSecret = endpoint.Secret is not null,
            Headers = EndpointStatus.Masked(endpoint.Headers),
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

    /// <summary>Whether the endpoint has something to deliver: a retry pending, or log entries for it after its cursor.</summary>
    public async Task<bool> HasWorkAsync(EndpointDefinition endpoint, long logHead)
    {
        var state = await ReadStateAsync(endpoint).ConfigureAwait(false);
        if (state.PendingSeq is not null)
            return true;
        return state.Cursor < logHead && await log.CountAsync(state.Cursor, endpoint.Filter).ConfigureAwait(false) > 0;
    }

    private async Task<DeliveryState> ReadStateAsync(EndpointDefinition endpoint)
    {
        var state = new GrainState<DeliveryState>();
        await storage.ReadStateAsync(DeliveryState.StateName, GrainId.Create(WebhookGrainType, endpoint.Id), state).ConfigureAwait(false);
        return state.RecordExists && state.State is { } stored ? stored : DeliveryState.Initial(endpoint);
    }
}

/// <summary>A page of endpoint statuses, how many endpoints there are in all, and the cursor to pass as <c>after</c> for the next page.</summary>
public sealed record EndpointPage(IReadOnlyList<EndpointStatus> Endpoints, int Total, string? Next);
