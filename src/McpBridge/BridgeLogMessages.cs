namespace Herald.McpBridge;

internal static partial class BridgeLogMessages
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Could not connect to the Herald cluster {Cluster}")]
    public static partial void ClusterUnreachable(ILogger logger, string cluster, Exception exception);
}
