using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Infrastructure.Storage;
using Herald.Silo.Tests.Infrastructure;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Tests.Providers;

public abstract class AttemptLogConformance : IAsyncLifetime
{
    protected IAttemptLog Attempts { get; set; } = null!;

    protected AttemptCounter Counter { get; } = new();

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    private static DeliveryAttempt Attempt(string endpoint, long message, int attempt, string outcome = AttemptOutcome.Retrying) => new()
    {
        EndpointId = endpoint,
        MessageId = message,
        Attempt = attempt,
        Timestamp = new DateTimeOffset(2026, 11, 21, 10, 0, attempt, TimeSpan.Zero),
        StatusCode = attempt == 1 ? null : 500,
        LatencyMs = 12.5,
        Error = "HTTP 500",
        ResponseBody = "oops",
        Outcome = outcome,
        NextRetryAt = new DateTimeOffset(2026, 11, 21, 11, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task Attempt_totals_grow_by_each_outcome_and_survive_an_endpoint_removal()
    {
        var before = Counter.Totals;
        foreach (var outcome in new[] { AttemptOutcome.Succeeded, AttemptOutcome.Retrying, AttemptOutcome.Succeeded, AttemptOutcome.Failed, AttemptOutcome.Disabled })
            await Attempts.AppendAsync(Attempt("ep_totals", 3, 1, outcome));

        var after = Counter.Totals;
        Assert.Equal(new AttemptTotals(before.Succeeded + 2, before.Failed + 3), after);

        // Totals feed rates, so they never go down when an endpoint's log is deleted.
        await Attempts.RemoveEndpointAsync("ep_totals");
        await Attempts.AppendAsync(Attempt("ep_other", 4, 1, AttemptOutcome.Succeeded));
        Assert.Equal(after with { Succeeded = after.Succeeded + 1 }, Counter.Totals);
    }

    [Fact]
    public async Task Attempts_list_newest_first_within_the_limit_and_are_removed_with_their_endpoint()
    {
        for (var i = 1; i <= 3; i++)
            await Attempts.AppendAsync(Attempt("ep_a", 7, i, i == 3 ? AttemptOutcome.Succeeded : AttemptOutcome.Retrying));
        await Attempts.AppendAsync(Attempt("ep_b", 7, 1));

        var (list, total) = await Attempts.ListAsync("ep_a", 2);
        Assert.Equal(3, total);
        Assert.Equal([3, 2], list.Select(a => a.Attempt).ToArray());
        Assert.Equal(Attempt("ep_a", 7, 3, AttemptOutcome.Succeeded), list[0]);
        Assert.Null((await Attempts.ListAsync("ep_a", 10)).Attempts[^1].StatusCode);

        await Attempts.RemoveEndpointAsync("ep_a");
        Assert.Equal(0, (await Attempts.ListAsync("ep_a", 10)).Total);
        Assert.Equal(1, (await Attempts.ListAsync("ep_b", 10)).Total);
    }
}

public sealed class MemoryAttemptLogConformanceTests : AttemptLogConformance
{
    public override Task InitializeAsync()
    {
        Attempts = new CountingAttemptLog(new MemoryAttemptLog(Options.Create(new DeliveryOptions { AttemptRetentionPerEndpoint = 5 })), Counter);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresAttemptLogConformanceTests : AttemptLogConformance
{
    private PostgresProviderSet _set = null!;

    public override async Task InitializeAsync()
    {
        _set = await PostgresProviderSet.CreateAsync(Counter);
        Attempts = _set.Attempts;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}

public sealed class SqliteAttemptLogConformanceTests : AttemptLogConformance
{
    private SqliteProviderSet _set = null!;

    public override Task InitializeAsync()
    {
        _set = SqliteProviderSet.Create(Counter);
        Attempts = _set.Attempts;
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}
