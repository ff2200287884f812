using System.Globalization;
using System.Text.Json;
using Herald.Contracts;
using Herald.Grains.Inbound;

namespace Herald.Application.Deployments;

/// <summary>The Vercel deployments Herald received, read from their stored summaries.</summary>
internal static class DeploymentRecords
{
    /// <summary>The deployment an event describes; none for events without a project.</summary>
    public static IEnumerable<DeploymentRecord> Of(InboundEvent e)
    {
        try
        {
            using var document = JsonDocument.Parse(e.Summary);
            var summary = document.RootElement;
            if (SummaryJson.String(summary, "project") is not { } project)
                return [];
            var created = DateTimeOffset.TryParse(SummaryJson.String(summary, "created_at"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : e.ReceivedAt;
            return
            [
                new DeploymentRecord(
                    e.Id, e.Type, SummaryJson.String(summary, "deployment_id"), project, SummaryJson.String(summary, "url"), SummaryJson.String(summary, "status"),
                    SummaryJson.String(summary, "target"), SummaryJson.String(summary, "commit_sha"), SummaryJson.String(summary, "branch"),
                    SummaryJson.String(summary, "commit_message"), created, e.ReceivedAt),
            ];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
