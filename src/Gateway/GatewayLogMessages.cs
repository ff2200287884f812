namespace Herald.Gateway;

internal static partial class GatewayLogMessages
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "SSE listener connected (after {LastEventId}); {Count} listeners")]
    public static partial void SseConnected(ILogger logger, long? lastEventId, int count);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "SSE listener disconnected: it fell {Capacity} frames behind")]
    public static partial void SseOverflow(ILogger logger, int capacity);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "SSE hub could not read the log; retrying")]
    public static partial void SseHubFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "SSE hub waits for the log ({Reason}); retrying every {Backoff}, listeners stay connected")]
    public static partial void SseHubWaits(ILogger logger, string reason, TimeSpan backoff);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "SSE hub fell behind log retention: entries {From} to {To} were pruned before dispatch")]
    public static partial void SseHubGap(ILogger logger, long from, long to);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "An operator disconnected {Count} SSE listeners; they reconnect and resume from their last event id")]
    public static partial void SseDisconnectedByOperator(ILogger logger, int count);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "An SSE stream ended because the log could not be read ({Reason}); its listener resumes from its last event id")]
    public static partial void SseEndedByStorage(ILogger logger, string reason);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Could not read the totals for the rate history; the next sample spans this interval too")]
    public static partial void RateSampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "Inbound event {EventId} is stored, but waking its subscribers failed; a sweep wakes them")]
    public static partial void InboundFanOutFailed(ILogger logger, Exception exception, long eventId);
}
