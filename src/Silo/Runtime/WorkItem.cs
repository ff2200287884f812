using Herald.Runtime;

namespace Herald.Silo.Runtime;

/// <summary>A message in a grain's mailbox: the call to run, and how to fail it if the grain cannot run it.</summary>
internal sealed class WorkItem(Func<Grain, Task> run, Action<Exception> fail, bool oneWay = false)
{
    public Func<Grain, Task> Run { get; } = run;

    public Action<Exception> Fail { get; } = fail;

    /// <summary>Nobody waits for a one-way call, so nobody could retry it: the runtime does, when activation fails.</summary>
    public bool OneWay { get; } = oneWay;

    public int ActivationRetries { get; set; }
}
