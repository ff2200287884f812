namespace Herald.Contracts;

/// <summary>How many messages a topic had over a window, and when its last one was appended.</summary>
public sealed record TopicActivity(string Topic, long Messages, DateTimeOffset LastAt);
