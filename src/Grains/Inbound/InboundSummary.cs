using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Grains.Inbound;

/// <summary>
/// A small, source-independent view of an inbound webhook event, so listings, SSE and logs can show what happened
/// without parsing each provider's payload again.
/// </summary>
public static class InboundSummary
{
    /// <summary>
    /// The summary fields of an event as snake_case keys, chosen by the source's verification scheme. GitHub, Stripe
    /// and Vercel summaries always carry their fields, null when the payload lacks them; other schemes keep only
    /// <c>type</c> and <c>id</c>, when known. Never throws on an unexpected payload shape, and never borrows the
    /// payload's document, so the summary outlives it.
    /// </summary>
    /// <param name="scheme">The source's verification scheme, e.g. <c>github</c>, <c>stripe</c>, <c>standard</c>.</param>
    /// <param name="type">The event type: the <c>X-GitHub-Event</c> header for GitHub, the event's type otherwise.</param>
    /// <param name="payload">The parsed body, or null when it was not JSON.</param>
    public static JsonObject Build(string scheme, string? type, JsonElement? payload)
    {
        // default(JsonElement) throws on every access, so it counts as no payload at all.
        var body = payload is { ValueKind: not JsonValueKind.Undefined } ? payload : null;
        if (SignatureSchemes.Is(scheme, SignatureSchemes.GitHub))
            return GitHubSummary.Build(type, body);
        if (SignatureSchemes.Is(scheme, SignatureSchemes.Stripe))
            return StripeSummary.Build(type, body);
        if (SignatureSchemes.Is(scheme, SignatureSchemes.Vercel))
            return VercelSummary.Build(type, body);
        return BuildGeneric(type, body);
    }

    /// <summary>
    /// One line for SSE and logs, e.g. <c>github push to octo/hello: 3 commits to main by alice</c> or
    /// <c>stripe payment_intent.succeeded pi_123: 2000 usd (cus_9)</c>; <c>&lt;source&gt; &lt;type&gt;</c> when
    /// the summary has nothing more to say. Line breaks in payload text are replaced by spaces.
    /// </summary>
    /// <param name="source">The name shown first, usually the inbound source's name.</param>
    /// <param name="type">The event type, or null to take it from the summary.</param>
    /// <param name="summary">A summary made by <see cref="Build"/>.</param>
    public static string Describe(string source, string? type, JsonObject summary)
    {
        source = SummaryJson.Clean(source);
        var shown = type is null
            ? SummaryJson.Text(summary, GitHubSummary.EventKey) ?? SummaryJson.Text(summary, "type")
            : SummaryJson.Clean(type);

        // The summary's own keys tell its scheme, so callers need not keep the scheme next to it.
        if (shown is not null && summary.ContainsKey(GitHubSummary.EventKey))
            return GitHubSummary.Describe(source, shown, summary);
        if (summary.ContainsKey(StripeSummary.ObjectIdKey))
            return StripeSummary.Describe(source, shown, summary);
        if (summary.ContainsKey(VercelSummary.DeploymentIdKey))
            return VercelSummary.Describe(source, shown, summary);
        return shown is null ? source : $"{source} {shown}";
    }

    private static JsonObject BuildGeneric(string? type, JsonElement? payload)
    {
        var summary = new JsonObject();
        var eventType = type is null ? SummaryJson.Scalar(payload, "type") : JsonValue.Create(type);
        if (eventType is not null)
            summary["type"] = eventType;
        if (SummaryJson.Scalar(payload, "id") is { } id)
            summary["id"] = id;
        return summary;
    }
}
