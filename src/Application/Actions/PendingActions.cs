using System.Globalization;
using System.Text.Json;
using Herald.Contracts;
using Herald.Grains.Inbound;
using Herald.Storage;

namespace Herald.Application.Actions;

/// <summary>
/// The actions the rules derive from stored inbound events, with their completions. An action's id names its event
/// and its name (<c>act_&lt;event id&gt;_&lt;action&gt;</c>), so it is the same on every gateway and after a restart.
/// </summary>
internal static class PendingActions
{
    private const string IdPrefix = "act_";

    public static string IdOf(long eventId, string action) => $"{IdPrefix}{eventId.ToString(CultureInfo.InvariantCulture)}_{action}";

    public static bool TryParseId(string id, out long eventId, out string action)
    {
        (eventId, action) = (0, string.Empty);
        if (!id.StartsWith(IdPrefix, StringComparison.Ordinal))
            return false;
        var separator = id.IndexOf('_', IdPrefix.Length);
        if (separator < 0 || !long.TryParse(id.AsSpan(IdPrefix.Length, separator - IdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out eventId))
            return false;
        action = id[(separator + 1)..];
        return action.Length > 0;
    }

    /// <summary>
    /// Every action the rules derive from the newest matching events (at most <see cref="InboundScan.ScanLimit"/>
    /// per rule), oldest first, each with its completion if it has one.
    /// </summary>
    public static async Task<(List<ActionView> Actions, bool Truncated)> ListAsync(
        ActionOptions actions, InboundOptions inbound, IInboundEventStore events, IActionCompletionStore completions, string? actionType, CancellationToken cancellationToken)
    {
        var derived = new List<(InboundEvent Event, ActionRule Rule)>();
        var truncated = false;
        foreach (var rule in actions.EffectiveRules.Where(r => actionType is null || r.Action == actionType))
        {
            var scan = await InboundScan.NewestAsync(events, QueryFor(rule, inbound), e => new[] { (e, rule) }, InboundScan.ScanLimit, cancellationToken);
            derived.AddRange(scan.Records);
            truncated |= scan.Truncated;
        }

        var done = (await completions.FindAsync(derived.Select(d => d.Event.Id).Distinct().ToArray(), cancellationToken))
            .ToDictionary(c => (c.EventId, c.Action));
        var views = derived
            .Select(d => View(d.Event, d.Rule, done.GetValueOrDefault((d.Event.Id, d.Rule.Action))))
            .OrderBy(a => a.EventId).ThenBy(a => a.Type, StringComparer.Ordinal)
            .ToList();
        return (views, truncated);
    }

    /// <summary>The action <paramref name="action"/> of one event, if a rule derives it from that event.</summary>
    public static async Task<ActionView?> FindAsync(
        long eventId, string action, ActionOptions actions, InboundOptions inbound, IInboundEventStore events, IActionCompletionStore completions,
        CancellationToken cancellationToken)
    {
        if (await events.GetAsync(eventId, cancellationToken) is not { } stored)
            return null;
        if (actions.EffectiveRules.FirstOrDefault(r => r.Action == action && Derives(r, inbound, stored)) is not { } rule)
            return null;
        var done = await completions.FindAsync([eventId], cancellationToken);
        return View(stored, rule, done.FirstOrDefault(c => c.Action == action));
    }

    /// <summary>The actions the rules derive from one event, for listings of events.</summary>
    public static IEnumerable<ActionView> Of(InboundEvent stored, ActionOptions actions, InboundOptions inbound, IReadOnlyDictionary<(long, string), ActionCompletion> done) =>
        actions.EffectiveRules.Where(r => Derives(r, inbound, stored)).Select(r => View(stored, r, done.GetValueOrDefault((stored.Id, r.Action))));

    private static bool Derives(ActionRule rule, InboundOptions inbound, InboundEvent stored) =>
        stored.Type == rule.On && SourcesOf(rule, inbound).Contains(stored.Source);

    private static string[] SourcesOf(ActionRule rule, InboundOptions inbound) =>
        rule.Source is { } source ? [source.ToLowerInvariant()] : InboundScan.SourcesWithScheme(inbound, rule.Scheme);

    private static InboundQuery QueryFor(ActionRule rule, InboundOptions inbound) => new(null, rule.On, null, null, 0, Sources: SourcesOf(rule, inbound));

    /// <summary>The action <paramref name="rule"/> derives from <paramref name="stored"/>, with its completion if it has one.</summary>
    public static ActionView View(InboundEvent stored, ActionRule rule, ActionCompletion? completion)
    {
        var fields = new SortedDictionary<string, JsonElement?>(StringComparer.Ordinal);
        try
        {
            using var payload = JsonDocument.Parse(stored.Payload);
            foreach (var (name, paths) in rule.Fields)
            {
                fields[name] = paths.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(path => SummaryJson.Get(payload.RootElement, path.Split('.')))
                    .FirstOrDefault(value => value is { ValueKind: not JsonValueKind.Null })?.Clone();
            }
        }
        catch (JsonException)
        {
            // A payload that is not JSON has no fields to read; the action still names its event.
        }

        return new ActionView(
            IdOf(stored.Id, rule.Action), rule.Action, completion is null ? ActionView.Pending : ActionView.Completed, stored.Id, stored.Source, stored.Type,
            stored.ReceivedAt, fields, completion?.CompletedAt, completion?.CompletedBy, completion?.Details);
    }
}
