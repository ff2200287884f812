using Microsoft.Extensions.Logging;

namespace Herald.Silo.Runtime;

internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Activated {GrainId}")]
    public static partial void Activated(ILogger logger, GrainId grainId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Deactivated {GrainId}")]
    public static partial void Deactivated(ILogger logger, GrainId grainId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Activation of {GrainId} failed")]
    public static partial void ActivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Deactivation of {GrainId} failed")]
    public static partial void DeactivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "One-way call to {GrainId} failed")]
    public static partial void OneWayCallFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Idle collection failed; it runs again at the next interval")]
    public static partial void CollectionFailed(ILogger logger, Exception exception);
}
