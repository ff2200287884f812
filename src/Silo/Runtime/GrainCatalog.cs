using System.Collections.Concurrent;
using System.Reflection;
using Herald.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Runtime;

/// <summary>
/// The activations of this silo: exactly one per grain id. A new activation of an id that is deactivating waits
/// for the old one to finish, so two activations of one grain never run at the same time.
/// </summary>
internal sealed class GrainCatalog(
    IServiceProvider services,
    GrainTypeMap types,
    IOptions<GrainRuntimeOptions> options,
    ILogger<GrainCatalog> logger) : IHostedService, IGrainStatistics
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly ConcurrentDictionary<GrainId, Task> _deactivations = new();
    private readonly ConcurrentDictionary<Type, (ObjectFactory Factory, bool Reentrant)> _factories = new();
    private IGrainFactory? _grainFactory;
    private IGrainPlacement? _placement;
    private IRemoteGrainInvoker? _remote;
    private bool _remoteResolved;
    private volatile bool _stopping;

    public IGrainFactory GrainFactory => _grainFactory ??= services.GetRequiredService<IGrainFactory>();

    public int Count => _activations.Count;

    int IGrainStatistics.ActiveGrains => Count;

    public IEnumerable<Type> GrainInterfaces => types.Interfaces;

    // Resolved lazily: placement in cluster mode depends on the catalog itself.
    private IGrainPlacement Placement => _placement ??= services.GetRequiredService<IGrainPlacement>();

    /// <summary>The carrier for calls to grains hosted elsewhere; null in embedded mode.</summary>
    public IRemoteGrainInvoker? Remote
    {
        get
        {
            if (!_remoteResolved)
            {
                _remote = services.GetService<IRemoteGrainInvoker>();
                _remoteResolved = true;
            }

            return _remote;
        }
    }

    public bool IsLocal(GrainId id) => Placement.IsLocal(id.Interface, id.Key);

    /// <summary>A reference that always calls the local activation: used to serve calls from other silos.</summary>
    public object LocalReference(Type grainInterface, string key)
    {
        var proxy = DispatchProxy.Create(grainInterface, typeof(GrainReference));
        ((GrainReference)proxy).Bind(this, new GrainId(grainInterface, key), forceLocal: true);
        return proxy;
    }

    public IEnumerable<GrainActivation> Activations => _activations.Values;

    /// <summary>Queues a call for the grain, activating it first if needed.</summary>
    public void Dispatch(GrainId id, WorkItem item)
    {
        if (_stopping)
        {
            item.Fail(new InvalidOperationException($"The silo is stopping; {id} cannot be called."));
            return;
        }

        // Loops only while it races with a deactivation: the next lookup finds or creates the successor.
        while (!GetOrActivate(id).TryEnqueue(item))
        {
        }
    }

    public void Redispatch(GrainId id, WorkItem item) => Dispatch(id, item);

    public async Task RedispatchLaterAsync(GrainId id, WorkItem item, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        Dispatch(id, item);
    }

    public void Remove(GrainActivation activation)
    {
        _deactivations[activation.Id] = activation.Deactivated;
        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.Id, activation));
        _ = activation.Deactivated.ContinueWith(
            _ => _deactivations.TryRemove(new KeyValuePair<GrainId, Task>(activation.Id, activation.Deactivated)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private GrainActivation GetOrActivate(GrainId id)
    {
        if (_activations.TryGetValue(id, out var existing))
            return existing;

        var (factory, reentrant) = _factories.GetOrAdd(id.Interface, static (type, map) =>
        {
            var implementation = map.Resolve(type);
            return (ActivatorUtilities.CreateFactory(implementation, []), implementation.GetCustomAttribute<ReentrantAttribute>() is not null);
        }, types);

        var created = new GrainActivation(id, this, () => (Grain)factory(services, []), reentrant, options.Value, logger);
        if (!_activations.TryAdd(id, created))
            return _activations.TryGetValue(id, out existing) ? existing : GetOrActivate(id);

        created.Start(_deactivations.TryGetValue(id, out var previous) ? previous : Task.CompletedTask);
        return created;
    }

    /// <summary>Deactivates the activations whose id matches, and waits (within the deactivation timeout) for them.</summary>
    public async Task DeactivateWhereAsync(Func<GrainId, bool> predicate)
    {
        var pending = new List<Task>();
        foreach (var activation in _activations.Values)
        {
            if (!predicate(activation.Id))
                continue;
            activation.RequestDeactivation(force: true);
            pending.Add(activation.Deactivated);
        }

        if (pending.Count > 0)
            await Task.WhenAll(pending).WaitAsync(options.Value.DeactivationTimeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Deactivates every grain at shutdown, so each one stops its loops. New calls are refused from here on;
    /// activations created by calls already in flight are deactivated too, until none is left or time is up.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.DeactivationTimeout);
        while (!_activations.IsEmpty && !timeout.IsCancellationRequested)
        {
            var pending = new List<Task>();
            foreach (var activation in _activations.Values)
            {
                activation.RequestDeactivation(force: true);
                pending.Add(activation.Deactivated);
            }

            await Task.WhenAll(pending).WaitAsync(timeout.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }
}
