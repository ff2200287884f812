using System.Runtime.InteropServices;

namespace Herald.Infrastructure.Hosting;

/// <summary>
/// SIGTERM and SIGINT for the whole life of the process, not only while a host runs: a signal that comes while the
/// host is being built, or between two tries at starting, still ends the process cleanly (exit code 0) instead of by
/// the runtime's default (exit code 143).
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly ManualResetEventSlim _requested = new();
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;
    private IHostApplicationLifetime? _host;

    public StopSignals()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    public bool Requested => _requested.IsSet;

    /// <summary>The host now running; a stop asked for before it existed reaches it at once.</summary>
    public void Watch(IHostApplicationLifetime host)
    {
        Volatile.Write(ref _host, host);
        if (Requested)
            host.StopApplication();
    }

    /// <summary>Waits <paramref name="delay"/>; false if a stop was asked for first.</summary>
    public bool Wait(TimeSpan delay) => !_requested.Wait(delay);

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _requested.Set();
        Volatile.Read(ref _host)?.StopApplication();
    }

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _requested.Dispose();
    }
}
