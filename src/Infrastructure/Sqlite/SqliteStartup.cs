
namespace Herald.Infrastructure.Sqlite;

/// <summary>
/// Opens the data file before any other hosted service (the silo included) starts, so a folder in use or a bad path
/// stops the process at once; and, stopping after them all, commits whatever their shutdown wrote before the file closes.
/// </summary>
internal sealed class SqliteStartup(SqliteDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        database.Open();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => database.FlushAsync().WaitAsync(cancellationToken);
}
