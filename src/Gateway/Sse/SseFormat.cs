namespace Herald.Gateway.Sse;

/// <summary>
/// How a listener's messages are written. Text is WebstreamMCP's format, <c>data: [timestamp] message</c>; JSON
/// (<c>/stream?format=json</c>) carries the id, topic, timestamp and message as one object per event.
/// </summary>
public enum SseFormat
{
    Text,
    Json,
}
