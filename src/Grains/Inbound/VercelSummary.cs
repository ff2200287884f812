using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Grains.Inbound;

/// <summary>
/// Summaries of Vercel deployment events. Vercel's current payload nests the deployment under
/// <c>payload.deployment</c>; older integrations (and the MCP event-patterns guide) read a flat <c>payload.name</c>,
/// <c>payload.url</c> and <c>payload.meta</c>. Both are read, the nested one first.
/// </summary>
internal static class VercelSummary
{
    public const string DeploymentIdKey = "deployment_id";

    private const string DeploymentPrefix = "deployment.";

    public static JsonObject Build(string? type, JsonElement? payload)
    {
        type ??= SummaryJson.String(payload, "type");
        var body = SummaryJson.Get(payload, "payload");
        var deployment = SummaryJson.Get(body, "deployment");
        string? Either(params string[] path) => SummaryJson.String(deployment, path) ?? SummaryJson.String(body, path);

        return new JsonObject
        {
            ["type"] = type,
            ["id"] = SummaryJson.String(payload, "id"),
            [DeploymentIdKey] = SummaryJson.String(deployment, "id") ?? SummaryJson.String(body, "deploymentId"),
            ["project"] = Either("name") ?? SummaryJson.String(body, "project", "name") ?? SummaryJson.String(body, "project", "id"),
            ["url"] = Either("url"),
            ["status"] = Either("readyState")?.ToLowerInvariant() ?? Either("state")?.ToLowerInvariant() ?? StatusOf(type),
            ["target"] = SummaryJson.String(body, "target") ?? SummaryJson.String(deployment, "target"),
            ["commit_sha"] = Either("meta", "githubCommitSha") ?? Either("meta", "gitlabCommitSha") ?? Either("meta", "bitbucketCommitSha"),
            ["branch"] = Either("meta", "githubCommitRef") ?? Either("meta", "gitlabCommitRef") ?? Either("meta", "bitbucketCommitRef"),
            ["commit_message"] = Either("meta", "githubCommitMessage") ?? Either("meta", "gitlabCommitMessage") ?? Either("meta", "bitbucketCommitMessage"),
            ["created_at"] = SummaryJson.Int64(payload, "createdAt") is { } milliseconds && milliseconds is > 0 and < 253402300800000
                ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                : null,
        };
    }

    /// <summary>What the event type says of the deployment: <c>deployment.succeeded</c> means it is ready, and so on.</summary>
    private static string? StatusOf(string? type) => type switch
    {
        null => null,
        "deployment.created" => "building",
        "deployment.succeeded" or "deployment.ready" => "ready",
        "deployment.error" => "error",
        "deployment.canceled" => "canceled",
        "deployment.promoted" => "promoted",
        _ when type.StartsWith(DeploymentPrefix, StringComparison.Ordinal) => type[DeploymentPrefix.Length..],
        _ => null,
    };

    public static string Describe(string source, string? type, JsonObject summary)
    {
        var line = new StringBuilder(source);
        if (type is not null)
            line.Append($" {type}");
        if (SummaryJson.Text(summary, "project") is { } project)
            line.Append($" {project}");
        if (SummaryJson.Text(summary, "status") is { } status)
            line.Append($": {status}");
        if (SummaryJson.Text(summary, "target") is { } target)
            line.Append($" ({target})");
        if (SummaryJson.Text(summary, "url") is { } url)
            line.Append($" {url}");
        if (SummaryJson.Text(summary, "commit_sha") is { } sha)
            line.Append($" at {sha[..Math.Min(7, sha.Length)]}");
        return line.ToString();
    }
}
