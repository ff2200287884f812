using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Tells "storage cannot be used right now" (retry, answer 503) apart from real errors: PostgreSQL unreachable, or
/// the embedded data file busy, read-only, out of space or failing to read or write.
/// </summary>
public static class StorageErrors
{
    // SQLite's primary result codes (sqlite3.h).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCannotOpen = 14;

    public static bool IsUnavailable(Exception exception) => exception switch
    {
        Herald.Contracts.StorageUnavailableException => true,
        PostgresException postgres => postgres.IsTransient || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCannotOpen,
        SocketException or TimeoutException or IOException => true,
        _ when exception.InnerException is { } inner => IsUnavailable(inner),
        _ => false,
    };
}
