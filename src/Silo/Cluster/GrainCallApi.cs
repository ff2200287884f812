using System.Reflection;
using System.Text.Json;
using Herald.Runtime;
using Herald.Silo.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Silo.Cluster;

/// <summary>
/// The receiving end of silo-to-silo grain calls, mapped in cluster mode only. Every call must carry the cluster
/// key (<see cref="ClusterKey"/>); without it the answer is 401 and no grain is touched. It answers "not here"
/// (409) for a grain this silo does not host, so the caller looks the owner up again; otherwise it runs the call
/// on the local activation.
/// </summary>
public static class GrainCallApi
{
    public const string Path = "/internal/grains/invoke";

    /// <summary>Maps the route when this process is in a cluster; an embedded hub has no peers to take calls from.</summary>
    public static IEndpointRouteBuilder MapGrainCallApi(this IEndpointRouteBuilder routes)
    {
        if (routes.ServiceProvider.GetService<ClusterKey>() is not null)
            routes.MapPost(Path, InvokeAsync).ExcludeFromDescription();
        return routes;
    }

    // The key is checked before the body is bound, so a caller without it learns nothing about the grains.
    private static async Task<IResult> InvokeAsync(HttpContext context, ClusterKey clusterKey, IServiceProvider services)
    {
        bool authorized;
        try
        {
            authorized = await clusterKey.VerifyAsync(context.Request.Headers[RemoteGrainInvoker.KeyHeader], context.RequestAborted);
        }
        catch (Exception exception) when (Postgres.StorageErrors.IsUnavailable(exception))
        {
            return Results.Json(new GrainCallResponse(null, "the cluster key cannot be read while PostgreSQL is unreachable", true), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (!authorized)
            return Results.Json(new GrainCallResponse(null, "missing or wrong cluster key", false), statusCode: StatusCodes.Status401Unauthorized);

        GrainCallRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<GrainCallRequest>(RemoteGrainInvoker.Json, context.RequestAborted);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            request = null;
        }

        if (request is null)
            return Results.Json(new GrainCallResponse(null, "the body is not a grain call", false), statusCode: StatusCodes.Status400BadRequest);

        var catalog = services.GetRequiredService<GrainCatalog>();
        var grainInterface = catalog.GrainInterfaces.FirstOrDefault(t => t.FullName == request.Interface);
        var method = grainInterface?.GetMethod(request.Method);
        if (grainInterface is null || method is null || method.GetParameters().Length != request.Args.Length)
            return Results.Json(new GrainCallResponse(null, $"unknown grain method {request.Interface}.{request.Method}", false), statusCode: StatusCodes.Status400BadRequest);
        if (!services.GetRequiredService<IGrainPlacement>().IsLocal(grainInterface, request.Key))
            return Results.Json(new GrainCallResponse(null, $"{request.Key} is not hosted here", true), statusCode: StatusCodes.Status409Conflict);

        var args = method.GetParameters().Select((p, i) => request.Args[i].Deserialize(p.ParameterType, RemoteGrainInvoker.Json)).ToArray();
        try
        {
            var task = (Task)method.Invoke(catalog.LocalReference(grainInterface, request.Key), BindingFlags.DoNotWrapExceptions, null, args, null)!;
            await task.ConfigureAwait(false);
            var result = method.ReturnType.IsGenericType ? method.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
            return Results.Json(new GrainCallResponse(result is null ? null : JsonSerializer.SerializeToElement(result, RemoteGrainInvoker.Json), null, false), RemoteGrainInvoker.Json);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A silo that lost the lease mid-call says "not here": the caller retries on the new owner.
            var notHere = exception is LeaseLostException;
            return Results.Json(new GrainCallResponse(null, exception.Message, notHere), statusCode: notHere ? StatusCodes.Status409Conflict : StatusCodes.Status500InternalServerError);
        }
    }
}
