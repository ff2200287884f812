using System.Reflection;

namespace Herald.Silo.Runtime;

/// <summary>Carries a call to a grain that another silo hosts; returns the method's Task or Task&lt;T&gt;.</summary>
public interface IRemoteGrainInvoker
{
    object Invoke(MethodInfo method, GrainId id, object?[]? args);
}
