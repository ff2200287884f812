using System.Data.Common;
using System.Net.Sockets;
using Herald.Contracts;

namespace Herald.Grains;

/// <summary>
/// Faults a failover brings by design: storage away for a moment (a restart, a lost connection), a silo gone or
/// stopping. Grains say these in one line at Warning and carry on; anything else keeps its stack trace at Error.
/// </summary>
internal static class ExpectedFaults
{
    public static bool Includes(Exception? exception) => exception switch
    {
        null => false,
        StorageUnavailableException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or SocketException => true,

        // What every ADO.NET provider says of itself (Npgsql included), and the SQL states of an unreachable or restarting server.
        DbException database when database.IsTransient || database.SqlState is { } state && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)) => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(Includes),
        _ => Includes(exception.InnerException),
    };

    /// <summary>The innermost message: what went wrong, without the layers that carried it.</summary>
    public static string Reason(Exception exception) => exception.GetBaseException().Message;
}
