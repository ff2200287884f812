using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// How Herald's values are stored in SQLite: times as UTC ticks (exact, and ordered as numbers), string lists and maps
/// as JSON text, booleans as 0 or 1.
/// </summary>
internal static class SqliteValues
{
    public static long Ticks(DateTimeOffset time) => time.UtcTicks;

    public static long? Ticks(DateTimeOffset? time) => time?.UtcTicks;

    public static DateTimeOffset Time(SqliteDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    public static DateTimeOffset? NullableTime(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    public static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static string Json<T>(T value) => JsonSerializer.Serialize(value);

    public static string[] Strings(SqliteDataReader reader, int ordinal) => JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal)) ?? [];

    public static Dictionary<string, string> Map(SqliteDataReader reader, int ordinal) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(ordinal)) ?? [];

    /// <summary>Binds <paramref name="values"/> as <c>$1</c>, <c>$2</c>…</summary>
    public static void Bind(SqliteCommand command, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters.AddWithValue("$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), values[i] ?? DBNull.Value);
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="connection"/> with positional values and reads every row.</summary>
    public static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params object?[] values)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Bind(command, values);
        return ReadAll(command, read);
    }

    public static List<T> ReadAll<T>(SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        var rows = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            rows.Add(read(reader));
        return rows;
    }

    public static object? Scalar(SqliteConnection connection, string sql, params object?[] values)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Bind(command, values);
        return command.ExecuteScalar();
    }
}
