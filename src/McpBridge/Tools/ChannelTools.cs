using System.ComponentModel;
using System.Text.Json;
using Herald.Contracts;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

/// <summary>The MCP event-patterns guide's pub/sub pattern: a channel is a Herald topic; publishing is a push of a JSON object.</summary>
[McpServerToolType]
public sealed class ChannelTools(IHeraldApi herald)
{
    [McpServerTool(Name = "publish_event", Title = "Publish an event on a channel", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true, UseStructuredContent = true)]
    [Description("Publish a JSON object on a channel (a Herald topic such as 'deploys' or 'orders.eu'). Webhooks subscribed to the channel receive it as 'data' (signed, retried), " +
                 "SSE listeners get it at once ('data' in format=json, the JSON text otherwise). Returns at once with the message id and how many listeners the channel reaches.")]
    public async Task<PublishResult> PublishEventAsync(
        [Description("The channel: letters, digits, . _ - : / (not starting with 'inbound.', which is kept for received webhooks).")] string channel,
        [Description("The event, a JSON object, e.g. {\"status\":\"deployed\",\"version\":\"1.4.2\"}.")] JsonElement event_data,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(channel))
            throw new McpException("channel must name a channel (a topic such as 'deploys').");
        if (event_data.ValueKind != JsonValueKind.Object)
            throw new McpException($"event_data must be a JSON object, not {event_data.ValueKind.ToString().ToLowerInvariant()}.");
        var published = await herald.PublishAsync(channel, event_data, cancellationToken);
        var body = published.Body;
        var clients = body.GetProperty("clients").GetInt32();
        var webhooks = body.GetProperty("total_webhooks").GetInt32();
        return new PublishResult(
            "published", body.GetProperty("topic").GetString()!, body.GetProperty("id").GetInt64(), body.GetProperty("timestamp").GetString()!, webhooks, clients,
            published.Herald, $"Published on {channel} to {clients} listener{(clients == 1 ? "" : "s")} and {webhooks} webhook{(webhooks == 1 ? "" : "s")}");
    }

    [McpServerTool(Name = "get_channel_stats", Title = "Channel statistics", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Count the messages on each channel (topic) over the last N hours, busiest first, with when each last had one. Received webhooks count on their inbound.<source> channels.")]
    public async Task<ChannelStatsResponse> GetChannelStatsAsync(
        [Description("How many hours back, from 1 to 8760. Default 24.")] int hours = 24,
        CancellationToken cancellationToken = default)
    {
        if (hours is < 1 or > 8760)
            throw new McpException($"hours must be from 1 to 8760, not {hours}.");
        return (await herald.ChannelStatsAsync(hours, cancellationToken)).As<ChannelStatsResponse>();
    }

    [McpServerTool(Name = "get_recent_messages", Title = "Recent messages of a channel", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Read back the newest messages of a channel (or of all channels), oldest first: id, channel, timestamp, message, and the data object of published events.")]
    public async Task<ChannelMessagesResponse> GetRecentMessagesAsync(
        [Description("The channel (an exact topic). Leave out for every channel.")] string? channel = null,
        [Description("How many messages, from 1 to 500. Default 20.")] int limit = 20,
        CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 500)
            throw new McpException($"limit must be from 1 to 500, not {limit}.");
        return (await herald.RecentMessagesAsync(channel, limit, cancellationToken)).As<ChannelMessagesResponse>();
    }
}
