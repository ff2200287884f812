using System.Net.Sockets;
using Npgsql;

namespace Herald.Silo.Postgres;

/// <summary>Tells "the database cannot be reached right now" (retry, answer 503) apart from real errors.</summary>
public static class StorageErrors
{
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException => true,
        SocketException or TimeoutException or IOException => true,
        _ when exception.InnerException is { } inner => IsUnavailable(inner),
        _ => false,
    };
}
