namespace Herald.Silo.Runtime;

/// <summary>Registration of one grain class for one grain interface.</summary>
public sealed record GrainRegistration(Type Interface, Type Implementation);

/// <summary>Maps grain interfaces to the classes that implement them.</summary>
internal sealed class GrainTypeMap(IEnumerable<GrainRegistration> registrations)
{
    private readonly Dictionary<Type, Type> _map = registrations.ToDictionary(r => r.Interface, r => r.Implementation);

    public IEnumerable<Type> Interfaces => _map.Keys;

    public Type Resolve(Type grainInterface) =>
        _map.TryGetValue(grainInterface, out var implementation)
            ? implementation
            : throw new InvalidOperationException($"No grain class is registered for {grainInterface.Name}.");
}
