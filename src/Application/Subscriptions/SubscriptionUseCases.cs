using System.Text.RegularExpressions;
using Herald.Contracts;
using Herald.Grains.Inbound;
using Herald.MessageLog;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Application.Subscriptions;

/// <summary>
/// Named subscriptions to inbound events (<c>subscribe_to_events</c> of the MCP event-patterns guide, made real): each keeps a cursor on
/// the server, and a wait on it resumes from it and moves it on. A subscription belongs to the key that made it:
/// another key does not see it, but a key with the <c>manage</c> scope lists everyone's and reads or deletes another's
/// by naming its owner.
/// </summary>
public sealed partial class SubscriptionUseCases(ISubscriptionStore subscriptions, IMessageLog log, IOptionsMonitor<InboundOptions> inbound, TimeProvider time)
{
    private const int MaxSubscriptions = 1000;
    private const int MaxSources = 20;
    private const int MaxDescriptionLength = 2000;

    /// <summary>
    /// Creates the subscription with its cursor at the log's head (it sees what arrives from now on), or, when the
    /// name exists, updates its sources and description and keeps its cursor. Without a name, the sources name it.
    /// </summary>
    public async Task<Outcome<Subscribed>> SubscribeAsync(
        ApiCaller caller, string? name, IReadOnlyList<string>? sources, string? description, CancellationToken cancellationToken)
    {
        var wanted = (sources ?? []).Select(s => s?.Trim().ToLowerInvariant() ?? string.Empty).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (wanted.Length > MaxSources)
            return UseCaseError.Field("sources", $"must name at most {MaxSources} sources");
        var options = inbound.CurrentValue;
        if (wanted.FirstOrDefault(s => !options.Sources.ContainsKey(s) && !(options.AcceptUnknownSources && InboundOptions.IsSourceName(s))) is { } unknown)
        {
            var configured = string.Join(", ", options.Sources.Keys.Order(StringComparer.Ordinal));
            return UseCaseError.Field("sources", $"'{unknown}' is not a configured inbound source; configured: {(configured.Length == 0 ? "none" : configured)}");
        }
        name ??= wanted.Length == 0 ? "all" : string.Join('+', wanted);
        if (!SubscriptionName().IsMatch(name))
            return UseCaseError.Field("name", "must be 1 to 64 lower-case letters, digits, '.', '_', '-' or '+', starting with a letter or digit");
        if (description is { Length: > MaxDescriptionLength })
            return UseCaseError.Field("callback_description", $"must be at most {MaxDescriptionLength} characters");
        if (description is not null && description.Contains('\0', StringComparison.Ordinal))
            return UseCaseError.Field("callback_description", "must not contain NUL (U+0000) characters");
        if (await subscriptions.GetAsync(caller.Owner, name, cancellationToken) is null && await subscriptions.CountAsync(cancellationToken) >= MaxSubscriptions)
            return UseCaseError.Conflict("Too many subscriptions", $"At most {MaxSubscriptions} subscriptions may exist; delete one first.");

        var now = time.GetUtcNow();
        var head = (await log.GetBoundsAsync(cancellationToken)).Head;
        var (stored, created) = await subscriptions.UpsertAsync(new EventSubscription(name, wanted, description, head, now, now, caller.Owner), cancellationToken);
        return new Subscribed(SubscriptionResponse.From(stored), created);
    }

    /// <summary>The caller's subscriptions, or everyone's for a key that manages.</summary>
    public async Task<SubscriptionListResponse> ListAsync(ApiCaller caller, CancellationToken cancellationToken)
    {
        var all = await subscriptions.ListAsync(caller.Manages ? null : caller.Owner, cancellationToken);
        return new SubscriptionListResponse(all.Select(SubscriptionResponse.From).ToArray());
    }

    public async Task<Outcome<SubscriptionResponse>> GetAsync(ApiCaller caller, string name, string? owner, CancellationToken cancellationToken) =>
        Owner(caller, owner) is { } whose && await subscriptions.GetAsync(whose, name, cancellationToken) is { } found
            ? SubscriptionResponse.From(found)
            : NoSuchSubscription(name);

    /// <summary>Deletes the subscription; the outcome's value is its name.</summary>
    public async Task<Outcome<string>> DeleteAsync(ApiCaller caller, string name, string? owner, CancellationToken cancellationToken) =>
        Owner(caller, owner) is { } whose && await subscriptions.DeleteAsync(whose, name, cancellationToken) ? name : NoSuchSubscription(name);

    public static UseCaseError NoSuchSubscription(string name) =>
        UseCaseError.NotFound($"No subscription is named '{name}'. Create it with POST /api/subscriptions (the subscribe_to_events tool).");

    /// <summary>Whose subscription a call means: its caller's own, or, for a caller that manages, the owner it names. Null: none it may see.</summary>
    private static string? Owner(ApiCaller caller, string? owner) => owner is null || owner == caller.Owner ? caller.Owner : caller.Manages ? owner : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9._+-]{0,63}$")]
    private static partial Regex SubscriptionName();
}
