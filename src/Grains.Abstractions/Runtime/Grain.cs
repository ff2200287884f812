namespace Herald.Runtime;

/// <summary>
/// Base class for grain implementations. The runtime creates one activation per key, binds it to its context,
/// and runs every call, timer and continuation of the grain on that activation's exclusive scheduler, so grain
/// code needs no locks. Do not use <c>ConfigureAwait(false)</c> in grain code: it would leave that scheduler.
/// </summary>
public abstract class Grain : IGrainBinding
{
    private IGrainContext? _context;

    protected IGrainContext Context =>
        _context ?? throw new InvalidOperationException("The grain is not bound to an activation yet.");

    protected string GrainKey => Context.Key;

    protected IGrainFactory GrainFactory => Context.GrainFactory;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Asked by the idle collector, on the grain's scheduler, before it deactivates an activation that has had
    /// no calls for the idle timeout. A grain with work in flight says no.
    /// </summary>
    public virtual bool CanDeactivate => true;

    void IGrainBinding.Bind(IGrainContext context) => _context = context;
}

/// <summary>Lets the runtime bind a grain to its activation without exposing a public setter to grain code.</summary>
public interface IGrainBinding
{
    void Bind(IGrainContext context);
}
