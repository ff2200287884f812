using System.Globalization;
using System.Text.Json;
using Herald.Contracts;

namespace Herald.Gateway.Api;

/// <summary>One Vercel deployment event Herald received, from its stored summary.</summary>
public sealed record DeploymentRecord(
    long EventId, string? Type, string? DeploymentId, string Project, string? Url, string? Status, string? Target,
    string? Sha, string? Branch, string? CommitMessage, DateTimeOffset Time, DateTimeOffset ReceivedAt)
{
    /// <summary>The deployment an event describes; none for events without a project.</summary>
    public static IEnumerable<DeploymentRecord> From(InboundEvent e)
    {
        try
        {
            using var document = JsonDocument.Parse(e.Summary);
            var summary = document.RootElement;
            if (JsonFields.Text(summary, "project") is not { } project)
                return [];
            var created = DateTimeOffset.TryParse(JsonFields.Text(summary, "created_at"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : e.ReceivedAt;
            return
            [
                new DeploymentRecord(
                    e.Id, e.Type, JsonFields.Text(summary, "deployment_id"), project, JsonFields.Text(summary, "url"), JsonFields.Text(summary, "status"),
                    JsonFields.Text(summary, "target"), JsonFields.Text(summary, "commit_sha"), JsonFields.Text(summary, "branch"),
                    JsonFields.Text(summary, "commit_message"), created, e.ReceivedAt),
            ];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
