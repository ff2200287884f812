using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Gateway.Sse;
using Herald.Gateway.Stats;
using Herald.Grains.Telemetry;
using Herald.Infrastructure.Security;
using Herald.Infrastructure.Storage;

namespace Herald.Gateway.Api;

/// <summary>
/// <c>GET /api/diagnostics</c>: this process's memory, active webhook grains, listeners and JIT work, for operators and the benchmark.
/// <c>?collect=true</c> runs a full garbage collection first (so the heap figure is what is live); it needs manage.
/// </summary>
public static class DiagnosticsApi
{
    public static IEndpointRouteBuilder MapDiagnosticsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/diagnostics", Read).WithName("Diagnostics");
        return routes;
    }

    // One scope per request: reading needs 'read'; forcing a full collection first (collect=true), which stalls the
    // process, needs 'manage' alone.
    private static IResult Read(string? collect, HttpContext context, WebhookGrainCounters webhooks, SseHub sse, IStorageBacklog storage)
    {
        if (!bool.TryParse(collect ?? "false", out var collectFirst))
            return ScopeFilter.Refusal(context, ApiScopes.Read, allowQueryToken: false) ?? ApiProblems.Field("collect", "must be true or false");
        if (ScopeFilter.Refusal(context, collectFirst ? ApiScopes.Manage : ApiScopes.Read, allowQueryToken: false) is { } refusal)
            return refusal;
        if (collectFirst)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        var gc = GC.GetGCMemoryInfo();
        return TypedResults.Ok(new DiagnosticsResponse(
            WorkingSet.Bytes(), GC.GetTotalMemory(forceFullCollection: false), gc.HeapSizeBytes, GC.GetTotalAllocatedBytes(precise: true),
            webhooks.ActiveGrains, sse.ConnectionCount, Environment.ProcessorCount,
            System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
            ThreadPool.ThreadCount, ThreadPool.CompletedWorkItemCount, storage.PendingWrites));
    }
}

public sealed record DiagnosticsResponse(
    long WorkingSetBytes, long GcLiveBytes, long GcHeapBytes, long TotalAllocatedBytes, int ActiveGrains, int SseConnections, int ProcessorCount,
    long JitCompiledMethods, double JitCompilationMs, int ThreadPoolThreads, long ThreadPoolCompletedWorkItems,
    int PendingStorageWrites);
