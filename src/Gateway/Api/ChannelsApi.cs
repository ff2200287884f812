using System.Text.Json;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Silo.Security;
using Herald.MessageLog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Api;

/// <summary>
/// The MCP event-patterns guide's pub/sub pattern, read back from the log: a channel is a topic, and its messages are the log's
/// entries on it, whether pushed or relayed from an inbound source.
/// </summary>
public static class ChannelsApi
{
    private const int DefaultLimit = 20;
    private const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/channels").RequireScope(ApiScopes.Read);
        api.MapGet("/", StatsAsync).WithName("ChannelStats");
        api.MapGet("/messages", MessagesAsync).WithName("RecentMessages");
        return routes;
    }

    /// <summary>Messages per channel over the window, busiest first, with the last activity of each.</summary>
    internal static async Task<Results<Ok<ChannelStatsResponse>, ProblemHttpResult>> StatsAsync(
        string? hours, IMessageLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        if (QueryNumber.Hours(hours) is not { } window)
            return ApiProblems.Field("hours", $"must be an integer from 1 to {QueryNumber.MaxHours}");
        var since = time.GetUtcNow().AddHours(-window);
        var activity = await log.TopicActivityAsync(since, cancellationToken);
        var channels = activity.OrderByDescending(a => a.Messages).ThenBy(a => a.Topic, StringComparer.Ordinal)
            .Select(a => new ChannelStats(a.Topic, a.Messages, a.LastAt)).ToArray();
        return TypedResults.Ok(new ChannelStatsResponse(window, since, channels.Sum(c => c.Messages), channels));
    }

    /// <summary>The newest messages of one channel (or of all), oldest first, as far back as the log retains them.</summary>
    internal static async Task<Results<Ok<ChannelMessagesResponse>, ProblemHttpResult>> MessagesAsync(
        string? channel, string? limit, IMessageLog log, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return ApiProblems.Field("limit", $"must be an integer from 1 to {MaxLimit}");
        if (channel is not null && RequestRules.Topic(channel) is { } invalid)
            return ApiProblems.Field("channel", invalid);
        var entries = await log.ReadNewestAsync(channel, take, cancellationToken);
        var messages = entries.Select(ChannelMessage.From).ToArray();
        return TypedResults.Ok(new ChannelMessagesResponse(messages, messages.Length));
    }
}

public sealed record ChannelStats(string Channel, long Messages, DateTimeOffset LastAt);

public sealed record ChannelStatsResponse(int Hours, DateTimeOffset Since, long Total, IReadOnlyList<ChannelStats> Channels);

/// <summary>One log entry: a push (with its <c>data</c> object when it carried one) or a relayed inbound event (with its type).</summary>
public sealed record ChannelMessage(long Id, string Channel, string Timestamp, string Message, string? Type, JsonElement? Data)
{
    public static ChannelMessage From(LogEntry entry) => new(
        entry.Seq, entry.Topic, HeraldTime.ToWire(entry.Timestamp), entry.Message, entry.Type,
        entry.Payload is { } json && !entry.IsInbound ? Parse(json) : null);

    private static JsonElement? Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record ChannelMessagesResponse(IReadOnlyList<ChannelMessage> Messages, int Count);
