using System.Text.Json;

namespace Herald.Contracts;

[GenerateSerializer, Immutable, Alias("Herald.ChannelStats")]
public sealed record ChannelStats(string Channel, long Messages, DateTimeOffset LastAt);

[GenerateSerializer, Immutable, Alias("Herald.ChannelStatsResponse")]
public sealed record ChannelStatsResponse(int Hours, DateTimeOffset Since, long Total, IReadOnlyList<ChannelStats> Channels);

/// <summary>One log entry: a push (with its <c>data</c> object when it carried one) or a relayed inbound event (with its type).</summary>
[GenerateSerializer, Immutable, Alias("Herald.ChannelMessage")]
public sealed record ChannelMessage(long Id, string Channel, string Timestamp, string Message, string? Type, JsonElement? Data);

[GenerateSerializer, Immutable, Alias("Herald.ChannelMessagesResponse")]
public sealed record ChannelMessagesResponse(IReadOnlyList<ChannelMessage> Messages, int Count);
