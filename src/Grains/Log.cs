using Microsoft.Extensions.Logging;

namespace Herald.Grains;

internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Endpoint {EndpointId} disabled: {Reason}")]
    public static partial void EndpointDisabled(ILogger logger, string endpointId, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Message {Seq} failed for endpoint {EndpointId} after {Attempts} attempts; recorded as failed")]
    public static partial void MessageFailed(ILogger logger, long seq, string endpointId, int attempts);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Endpoint {EndpointId} fell behind log retention: entries {From} to {To} were pruned before delivery")]
    public static partial void SkippedByRetention(ILogger logger, string endpointId, long from, long to);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Delivery loop of endpoint {EndpointId} failed; retrying")]
    public static partial void PumpFault(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Endpoint {EndpointId} enabled; delivery resumes after {Cursor}")]
    public static partial void EndpointEnabled(ILogger logger, string endpointId, long cursor);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Endpoint {EndpointId} replays from {FromSeq}")]
    public static partial void Replaying(ILogger logger, string endpointId, long fromSeq);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Message {Seq} is committed, but counting or waiting for its subscribers failed; it is delivered regardless")]
    public static partial void PushUnconfirmed(ILogger logger, Exception exception, long seq);
}
