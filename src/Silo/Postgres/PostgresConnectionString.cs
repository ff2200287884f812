using System.Data.Common;
using Npgsql;

namespace Herald.Silo.Postgres;

/// <summary>
/// The connection string every cluster-mode connection uses (Herald's own and Orleans's providers), with two pooling
/// defaults that a connection string can still set otherwise. Measured under the benchmark's cluster throughput load
/// (two silos and a gateway sharing 2 cores with PostgreSQL), they took about a fifth off PostgreSQL's CPU:
/// <list type="bullet">
/// <item><c>No Reset On Close=true</c>: Npgsql otherwise sends <c>DISCARD ALL</c> with the next use of every pooled
/// connection, and the short statements Herald and Orleans run each pay for resetting the whole session. Herald keeps
/// no session state on pooled connections: the migrator's advisory lock is released explicitly, and LISTEN has a
/// connection of its own.</item>
/// <item><c>Max Auto Prepare=50</c>: the same few dozen statements run thousands of times a second; prepared, the
/// server stops parsing and planning each one again.</item>
/// </list>
/// Behind a pooler that does not keep sessions (PgBouncer in transaction mode), set <c>Max Auto Prepare=0</c> and
/// <c>No Reset On Close=false</c> in the connection string.
/// </summary>
public static class PostgresConnectionString
{
    public const int DefaultMaxAutoPrepare = 50;

    public static string WithDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Contains("noresetonclose"))
            tuned.NoResetOnClose = true;
        if (!keys.Contains("maxautoprepare"))
            tuned.MaxAutoPrepare = DefaultMaxAutoPrepare;
        return tuned.ConnectionString;
    }

    private static string Normalize(string key) => key.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}
