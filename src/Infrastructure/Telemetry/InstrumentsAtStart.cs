
namespace Herald.Infrastructure.Telemetry;

/// <summary>
/// Creates a metrics holder as the process starts: its gauges exist only once it does, and the first scrape should
/// not miss them because nothing has used it yet.
/// </summary>
public sealed class InstrumentsAtStart<THolder>(THolder holder) : IHostedService where THolder : class
{
    public THolder Holder { get; } = holder;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
