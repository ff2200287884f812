using Microsoft.Data.Sqlite;

namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// The writer's connection as the writes see it: one prepared command per distinct SQL text, reused across
/// transactions, so a write that runs a thousand times a second parses its SQL once.
/// </summary>
public sealed class SqliteCommands(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

    /// <summary>The command for <paramref name="sql"/> with its parameters cleared, ready to bind (<c>$name</c> or positional <c>$1</c>…).</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _prepared[sql] = command;
        }

        command.Parameters.Clear();
        return command;
    }

    /// <summary>
    /// The command for <paramref name="sql"/> bound to <paramref name="values"/> as <c>$1</c>, <c>$2</c>… (null binds
    /// SQL NULL). Its parameters are made once and rebound after that: a hot write allocates none per row.
    /// </summary>
    public SqliteCommand Command(string sql, params object?[] values)
    {
        if (!_prepared.TryGetValue(sql, out var command) || command.Parameters.Count != values.Length)
        {
            command = Command(sql);
            SqliteValues.Bind(command, values);
            return command;
        }

        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _prepared.Values)
            command.Dispose();
        _prepared.Clear();
    }
}
