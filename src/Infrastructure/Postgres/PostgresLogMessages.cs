
namespace Herald.Infrastructure.Postgres;

internal static partial class PostgresLogMessages
{
    // An outage is an expected event, said in one line: a stack trace per retry would only bury what else happens.
    [LoggerMessage(EventId = 4000, Level = LogLevel.Warning, Message = "PostgreSQL is unreachable ({Reason}); retrying in {Delay}")]
    public static partial void DatabaseUnavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Notification connection lost ({Reason}); polling the log every {Interval} until it is back")]
    public static partial void ListenLost(ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Notification connection established")]
    public static partial void ListenEstablished(ILogger logger);
}
