using System.Collections.Concurrent;
using System.Reflection;
using Herald.Runtime;

namespace Herald.Silo.Runtime;

/// <summary>
/// The client side of a grain: a generated proxy for the grain interface that turns each call into a message in
/// the grain's mailbox. Orleans generates this code at build time; a <see cref="DispatchProxy"/> keeps the same
/// shape without a code generator.
/// </summary>
public class GrainReference : DispatchProxy
{
    private static readonly ConcurrentDictionary<MethodInfo, Func<GrainCatalog, GrainId, object?[]?, object?>> Invokers = new();
    private static readonly MethodInfo InvokeTypedMethod =
        typeof(GrainReference).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private GrainCatalog? _catalog;
    private GrainId _id;
    private bool _forceLocal;

    internal void Bind(GrainCatalog catalog, GrainId id, bool forceLocal = false)
    {
        _catalog = catalog;
        _id = id;
        _forceLocal = forceLocal;
    }

    public override string ToString() => _id.ToString();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var catalog = _catalog!;
        if (!_forceLocal && catalog.Remote is { } remote && !catalog.IsLocal(_id))
            return remote.Invoke(targetMethod, _id, args);
        var invoker = Invokers.GetOrAdd(targetMethod, CreateInvoker);
        return invoker(catalog, _id, args);
    }

    private static Func<GrainCatalog, GrainId, object?[]?, object?> CreateInvoker(MethodInfo method)
    {
        var returnType = method.ReturnType;
        if (method.GetCustomAttribute<OneWayAttribute>() is not null)
        {
            if (returnType != typeof(Task))
                throw new InvalidOperationException($"One-way grain method {method.Name} must return Task.");
            return (catalog, id, args) =>
            {
                catalog.Dispatch(id, new WorkItem(grain => Call(method, grain, args), _ => { }, oneWay: true));
                return Task.CompletedTask;
            };
        }

        if (returnType == typeof(Task))
        {
            return (catalog, id, args) =>
            {
                var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                catalog.Dispatch(id, new WorkItem(
                    async grain =>
                    {
                        try
                        {
                            await Call(method, grain, args);
                            completion.TrySetResult();
                        }
                        catch (Exception exception)
                        {
                            completion.TrySetException(exception);
                        }
                    },
                    exception => completion.TrySetException(exception)));
                return completion.Task;
            };
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var typed = InvokeTypedMethod.MakeGenericMethod(returnType.GetGenericArguments()[0]);
            return typed.CreateDelegate<Func<GrainCatalog, GrainId, object?[]?, object?>>(method);
        }

        throw new InvalidOperationException($"Grain method {method.DeclaringType?.Name}.{method.Name} must return Task or Task<T>.");
    }

    // Bound to its MethodInfo as the delegate's first argument, so each call avoids reflection on the result type.
    private static object? InvokeTyped<T>(MethodInfo method, GrainCatalog catalog, GrainId id, object?[]? args)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        catalog.Dispatch(id, new WorkItem(
            async grain =>
            {
                try
                {
                    completion.TrySetResult(await (Task<T>)Call(method, grain, args));
                }
                catch (Exception exception)
                {
                    completion.TrySetException(exception);
                }
            },
            exception => completion.TrySetException(exception)));
        return completion.Task;
    }

    private static Task Call(MethodInfo method, Grain grain, object?[]? args) =>
        (Task)method.Invoke(grain, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null)!;
}
