using System.Text.Json;
using Herald.Contracts;
using Herald.MessageLog;

namespace Herald.Application.Channels;

/// <summary>
/// The MCP event-patterns guide's pub/sub pattern, read back from the log: a channel is a topic, and its messages are the log's
/// entries on it, whether pushed or relayed from an inbound source.
/// </summary>
public sealed class ChannelQueries(IMessageLog log, TimeProvider time)
{
    private const int DefaultLimit = 20;
    private const int MaxLimit = 500;

    /// <summary>Messages per channel over the window, busiest first, with the last activity of each.</summary>
    public async Task<Outcome<ChannelStatsResponse>> StatsAsync(string? hours, CancellationToken cancellationToken)
    {
        if (QueryNumber.Hours(hours) is not { } window)
            return UseCaseError.Field("hours", $"must be an integer from 1 to {QueryNumber.MaxHours}");
        var since = time.GetUtcNow().AddHours(-window);
        var activity = await log.TopicActivityAsync(since, cancellationToken);
        var channels = activity.OrderByDescending(a => a.Messages).ThenBy(a => a.Topic, StringComparer.Ordinal)
            .Select(a => new ChannelStats(a.Topic, a.Messages, a.LastAt)).ToArray();
        return new ChannelStatsResponse(window, since, channels.Sum(c => c.Messages), channels);
    }

    /// <summary>The newest messages of one channel (or of all), oldest first, as far back as the log retains them.</summary>
    public async Task<Outcome<ChannelMessagesResponse>> MessagesAsync(string? channel, string? limit, CancellationToken cancellationToken)
    {
        if (QueryNumber.Parse(limit, DefaultLimit, 1, MaxLimit) is not { } take)
            return UseCaseError.Field("limit", $"must be an integer from 1 to {MaxLimit}");
        if (channel is not null && RequestRules.Topic(channel) is { } invalid)
            return UseCaseError.Field("channel", invalid);
        var entries = await log.ReadNewestAsync(channel, take, cancellationToken);
        var messages = entries.Select(Message).ToArray();
        return new ChannelMessagesResponse(messages, messages.Length);
    }

    private static ChannelMessage Message(LogEntry entry) => new(
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
