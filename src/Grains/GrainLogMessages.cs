using Microsoft.Extensions.Logging;

namespace Herald.Grains;

internal static partial class GrainLogMessages
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Endpoint {EndpointId} disabled: {Reason}")]
    public static partial void EndpointDisabled(ILogger logger, string endpointId, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Message {Seq} failed for endpoint {EndpointId} after {Attempts} attempts; recorded as failed")]
    public static partial void MessageFailed(ILogger logger, long seq, string endpointId, int attempts);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Endpoint {EndpointId} fell behind log retention: entries {From} to {To} were pruned before delivery")]
    public static partial void SkippedByRetention(ILogger logger, string endpointId, long from, long to);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Delivery loop of endpoint {EndpointId} failed; retrying")]
    public static partial void PumpFault(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Delivery of endpoint {EndpointId} waits out a passing fault ({Reason}); retrying")]
    public static partial void PumpWaits(ILogger logger, string endpointId, string reason);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Warning, Message = "Sweep waits out a passing fault ({Reason}); it runs again in {Backoff}")]
    public static partial void SweepWaits(ILogger logger, string reason, TimeSpan backoff);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: its state waits for storage ({Reason}); it is written again shortly")]
    public static partial void StateWriteWaits(ILogger logger, string endpointId, string reason);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Warning, Message = "Could not announce log entry {Seq} to SSE listeners ({Reason}); gateways read it from the log")]
    public static partial void AnnounceMissed(ILogger logger, long seq, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Endpoint {EndpointId} enabled; delivery resumes after {Cursor}")]
    public static partial void EndpointEnabled(ILogger logger, string endpointId, long cursor);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Endpoint {EndpointId} replays from {FromSeq}")]
    public static partial void Replaying(ILogger logger, string endpointId, long fromSeq);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Message {Seq} is committed, but counting or waiting for its subscribers failed; it is delivered regardless")]
    public static partial void PushUnconfirmed(ILogger logger, Exception exception, long seq);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: another activation wrote its state; this one stops and deactivates")]
    public static partial void StaleActivation(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: its state could not be written; it is written again shortly")]
    public static partial void StateWriteFailed(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: its retry reminder could not be changed; trying again at the next step")]
    public static partial void ReminderFailed(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Could not announce log entry {Seq} to SSE listeners; gateways read it from the log")]
    public static partial void AnnounceFailed(ILogger logger, Exception exception, long seq);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Sweeping endpoints with messages left to deliver ({Reason})")]
    public static partial void Sweeping(ILogger logger, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Sweep woke {Woken} of {Endpoints} endpoints")]
    public static partial void Swept(ILogger logger, int woken, int endpoints);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Error, Message = "Sweep failed; it runs again in {Backoff}")]
    public static partial void SweepFailed(ILogger logger, Exception exception, TimeSpan backoff);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Endpoint {EndpointId}: its last activation ended without writing its progress; the attempt log moved its cursor from {From} to {To}")]
    public static partial void ProgressRecovered(ILogger logger, string endpointId, long from, long to);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: the attempt log could not be read to recover its last progress; delivery resumes from its stored cursor")]
    public static partial void ProgressNotRecovered(ILogger logger, Exception exception, string endpointId);
}
