using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary><c>GET /api/diagnostics</c>: the process's own memory, grains, listeners, JIT and thread-pool figures.</summary>
public sealed class DiagnosticsTests
{
    [Fact]
    public async Task Diagnostics_report_memory_jit_and_thread_pool_work_that_grows_with_use()
    {
        await using var server = await HeraldServer.StartAsync();
        var before = await server.GetJsonAsync("/api/diagnostics");
        foreach (var field in new[] { "working_set_bytes", "gc_live_bytes", "gc_heap_bytes", "total_allocated_bytes", "jit_compiled_methods", "thread_pool_threads" })
            Assert.True(before.GetProperty(field).GetInt64() > 0, $"{field} is positive: {before}");
        Assert.True(before.GetProperty("jit_compilation_ms").GetDouble() > 0);
        Assert.Equal(Environment.ProcessorCount, before.GetProperty("processor_count").GetInt32());
        Assert.Equal(0, before.GetProperty("sse_connections").GetInt32());

        for (var i = 0; i < 20; i++)
            await server.PushAsync($"work {i}");
        var after = await server.GetJsonAsync("/api/diagnostics?collect=true");
        Assert.True(after.GetProperty("thread_pool_completed_work_items").GetInt64() > before.GetProperty("thread_pool_completed_work_items").GetInt64());
        Assert.True(after.GetProperty("jit_compiled_methods").GetInt64() >= before.GetProperty("jit_compiled_methods").GetInt64());
        Assert.True(after.GetProperty("total_allocated_bytes").GetInt64() > before.GetProperty("total_allocated_bytes").GetInt64());
    }

    [Fact]
    public void The_working_set_read_from_statm_agrees_with_the_process_figure()
    {
        // Both read the kernel's resident-set count; they differ only by what the process touched between the reads.
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var expected = process.WorkingSet64;
        var measured = Herald.Gateway.Stats.WorkingSet.Bytes();
        Assert.InRange(measured, expected * 0.9, expected * 1.1);
    }

    [Fact]
    public async Task Allocated_bytes_count_a_small_allocation_at_once()
    {
        // Server GC's imprecise total moves only at collections, so a few kilobytes would not show.
        await using var server = await HeraldServer.StartAsync();
        var first = (await server.GetJsonAsync("/api/diagnostics")).GetProperty("total_allocated_bytes").GetInt64();
        var second = (await server.GetJsonAsync("/api/diagnostics")).GetProperty("total_allocated_bytes").GetInt64();
        Assert.True(second > first, $"{first} then {second}");
    }

    [Fact]
    public async Task On_postgres_the_storage_backlog_drains_to_zero_after_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync()));
        var endpoints = new List<string>();
        for (var i = 0; i < 5; i++)
            endpoints.Add(await server.CreateEndpointAsync(receiver.Url($"backlog-{i}")));
        for (var i = 0; i < 10; i++)
            await server.PushAsync($"backlog {i}", wait: false);

        // Each delivery queues a state write and an attempt insert, committed after the delivery itself. A receiver
        // has its request before the grain has the answer; the recorded attempts say every grain has its state queued.
        await Eventually.TrueAsync(() => receiver.Requests.Count == 50, "every delivery arrived");
        foreach (var endpoint in endpoints)
            await server.AttemptsAsync(endpoint, 10);
        await Eventually.TrueAsync(async () => (await server.GetJsonAsync("/api/diagnostics")).GetProperty("pending_storage_writes").GetInt32() == 0,
            "the backlog is committed");
        var attempts = await server.GetJsonAsync($"/api/endpoints?url={Uri.EscapeDataString(receiver.Url("backlog-0"))}");
        Assert.Equal(10, attempts.GetProperty("endpoints")[0].GetProperty("delivered").GetInt64());
    }
}
