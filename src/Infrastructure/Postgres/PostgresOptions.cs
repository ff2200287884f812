using System.ComponentModel.DataAnnotations;
using Herald.Infrastructure.Storage;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// Cluster-mode settings, bound from <c>Herald:Postgres</c>. Cluster mode is on when the connection string
/// <c>ConnectionStrings:Postgres</c> (env <c>ConnectionStrings__Postgres</c>) is set.
/// </summary>
public sealed class PostgresOptions : DatabaseOptions
{
    public const string Section = "Herald:Postgres";
    public const string ConnectionStringName = StorageMode.ConnectionStringName;

    /// <summary>The longest wait between reconnect attempts after PostgreSQL became unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>While the notification connection is down, how often the log head is polled instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
