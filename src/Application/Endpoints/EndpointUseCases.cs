using System.Globalization;
using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Grains.Webhooks;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Application.Endpoints;

/// <summary>
/// Webhook endpoints: by id with topics, secrets, custom headers, status, the attempt log, replay and re-enable; and
/// by URL alone, as WebhookMCP's API has them. A change of delivery goes through the endpoint's grain, which owns it.
/// </summary>
public sealed class EndpointUseCases(
    IEndpointRegistry registry, IAttemptLog attempts, EndpointStatusReader statuses, EndpointFactory factory, IGrainFactory grains, IOptions<LimitsOptions> limits)
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;
    private const int DefaultAttemptLimit = 50;
    private const int MaxAttemptLimit = 1000;

    /// <summary>Registers an endpoint; its status carries the secret, which is shown this once.</summary>
    public async Task<Outcome<EndpointStatus>> RegisterAsync(
        string? url, IReadOnlyList<string?>? topics, string? secret, IReadOnlyDictionary<string, string?>? headers, string? description,
        CancellationToken cancellationToken)
    {
        var settings = limits.Value;
        var errors = new Dictionary<string, string[]>();
        void Check(string field, string? error)
        {
            if (error is not null)
                errors[field] = [error];
        }

        Check("url", RequestRules.Url(url, settings));
        Check("topics", RequestRules.TopicPatterns(topics, settings));
        Check("secret", RequestRules.Secret(secret));
        Check("headers", RequestRules.Headers(headers, settings));
        if (description?.Length > settings.MaxDescriptionLength)
            Check("description", $"must be at most {settings.MaxDescriptionLength} characters");
        if (errors.Count > 0)
            return UseCaseError.Invalid(errors);

        var target = url!.Trim();
        if (await factory.UnreachableAsync(target, cancellationToken) is { } unreachable)
            return UseCaseError.Field("url", unreachable);
        secret ??= WebhookSignature.NewSecret();
        var (endpoint, created, refusal) = await factory.CreateAsync(
            target, topics?.Select(t => t!.Trim()).Distinct().ToArray() ?? [], secret,
            headers?.ToDictionary(h => h.Key, h => h.Value!, StringComparer.OrdinalIgnoreCase), description, cancellationToken);
        if (refusal is not null)
            return refusal;
        if (!created)
        {
            return UseCaseError.Conflict("Already registered", $"'{target}' is registered already as endpoint {endpoint!.Id}.",
                new Dictionary<string, object?> { ["endpoint_id"] = endpoint.Id });
        }

        var status = await statuses.BuildAsync(endpoint!, cancellationToken);
        return status with { Secret = secret };
    }

    public async Task<Outcome<EndpointListResponse>> ListAsync(string? limit, string? after, string? url, CancellationToken cancellationToken)
    {
        var take = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take < 1 || take > MaxPageSize))
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxPageSize}");
        long cursor = 0;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
            return UseCaseError.Field("after", "must be the 'next' of the previous page");

        var page = await statuses.ListAsync(cursor, take, url?.Trim(), cancellationToken);
        return new EndpointListResponse(page.Endpoints, page.Total, page.Next);
    }

    public async Task<Outcome<EndpointStatus>> GetAsync(string id, CancellationToken cancellationToken) =>
        await statuses.GetAsync(id, cancellationToken) is { } status ? status : Missing(id);

    /// <summary>Deletes the endpoint, its cursor and its attempts; the outcome's value is its id.</summary>
    public async Task<Outcome<string>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (await registry.GetAsync(id, cancellationToken) is null)
            return Missing(id);

        // Its answer is not checked: a grain call retried after a lost answer finds the endpoint already gone.
        await grains.GetGrain<IWebhookGrain>(id).DeleteAsync();
        return id;
    }

    public async Task<Outcome<AttemptListResponse>> AttemptsAsync(string id, string? limit, CancellationToken cancellationToken)
    {
        var take = DefaultAttemptLimit;
        if (limit is not null && (!int.TryParse(limit, out take) || take < 1 || take > MaxAttemptLimit))
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxAttemptLimit}");
        if (await registry.GetAsync(id, cancellationToken) is null)
            return Missing(id);
        var (list, total) = await attempts.ListAsync(id, take, cancellationToken);
        return new AttemptListResponse(list, total);
    }

    /// <summary>Moves the endpoint's cursor back to a message id or a time; deliveries from there follow in order.</summary>
    public async Task<Outcome<ReplayResult>> ReplayAsync(string id, long? fromId, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        if (fromId is null == since is null)
            return UseCaseError.Field("from_id", "give exactly one of from_id (a message id) or since (an ISO-8601 time)");
        if (fromId < 1)
            return UseCaseError.Field("from_id", "must be a message id of 1 or more");
        if (await registry.GetAsync(id, cancellationToken) is null)
            return Missing(id);

        return await grains.GetGrain<IWebhookGrain>(id).ReplayAsync(new ReplayRequest(fromId, since)) is { } result ? result : Missing(id);
    }

    public async Task<Outcome<EndpointStatus>> EnableAsync(string id, CancellationToken cancellationToken)
    {
        // Checked first so that unknown ids never activate a grain.
        if (await registry.GetAsync(id, cancellationToken) is null || !await grains.GetGrain<IWebhookGrain>(id).EnableAsync())
            return Missing(id);
        return await statuses.GetAsync(id, cancellationToken) is { } status ? status : Missing(id);
    }

    /// <summary>WebhookMCP's register: the URL gets every topic and a generated secret; registering it again changes nothing.</summary>
    public async Task<Outcome<WebhookUrlResponse>> RegisterUrlAsync(string? webhookUrl, CancellationToken cancellationToken)
    {
        if (RequestRules.Url(webhookUrl, limits.Value) is { } urlError)
            return UseCaseError.Field("webhook_url", urlError);

        var url = webhookUrl!.Trim();
        if (await factory.UnreachableAsync(url, cancellationToken) is { } unreachable)
            return UseCaseError.Field("webhook_url", unreachable);
        var (_, _, refusal) = await factory.CreateAsync(url, topics: [], secret: null, headers: null, description: null, cancellationToken);
        if (refusal is not null)
            return refusal;
        return new WebhookUrlResponse("success", url, await registry.CountAsync(cancellationToken));
    }

    public async Task<Outcome<WebhookUrlResponse>> UnregisterUrlAsync(string? webhookUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(webhookUrl))
            return UseCaseError.Field("webhook_url", "is required");

        var url = webhookUrl.Trim();
        if (await registry.FindByUrlAsync(url, cancellationToken) is not { } endpoint)
            return UseCaseError.NotFound($"No webhook is registered for '{url}'.");

        // Its answer is not checked: a grain call retried after a lost answer finds the endpoint already gone.
        await grains.GetGrain<IWebhookGrain>(endpoint.Id).DeleteAsync();
        return new WebhookUrlResponse("success", url, await registry.CountAsync(cancellationToken));
    }

    public async Task<WebhookListResponse> ListUrlsAsync(CancellationToken cancellationToken)
    {
        var endpoints = await registry.ListAsync(cancellationToken);
        return new WebhookListResponse(endpoints.Select(e => e.Url).ToArray(), endpoints.Count);
    }

    private static UseCaseError Missing(string id) => UseCaseError.NotFound($"No endpoint has the id '{id}'.");
}
