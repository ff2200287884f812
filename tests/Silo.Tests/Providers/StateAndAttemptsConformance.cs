using Herald.Contracts;
using Herald.Grains.Delivery;
using Herald.Grains.Webhooks;
using Herald.Silo.Storage;
using Herald.Silo.Tests.Infrastructure;
using Herald.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Silo.Tests.Providers;

public abstract class StateAndAttemptsConformance : IAsyncLifetime
{
    protected IGrainStorage Storage { get; set; } = null!;

    protected IAttemptLog Attempts { get; set; } = null!;

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
        var before = await Attempts.ReadTotalsAsync();
        foreach (var outcome in new[] { AttemptOutcome.Succeeded, AttemptOutcome.Retrying, AttemptOutcome.Succeeded, AttemptOutcome.Failed, AttemptOutcome.Disabled })
            await Attempts.AppendAsync(Attempt("ep_totals", 3, 1, outcome));

        var after = await Attempts.ReadTotalsAsync();
        Assert.Equal(new AttemptTotals(before.Succeeded + 2, before.Failed + 3), after);

        // Totals feed rates, so they never go down when an endpoint's log is deleted.
        await Attempts.RemoveEndpointAsync("ep_totals");
        await Attempts.AppendAsync(Attempt("ep_other", 4, 1, AttemptOutcome.Succeeded));
        Assert.Equal(after with { Succeeded = after.Succeeded + 1 }, await Attempts.ReadTotalsAsync());
    }

    [Fact]
    public async Task Grain_state_round_trips_and_clears()
    {
        var state = new DeliveryState
        {
            Cursor = 17,
            PendingSeq = 18,
            PendingAttempts = 2,
            NextAttemptAt = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero),
            ConsecutiveFailures = 2,
            FailingSince = new DateTimeOffset(2026, 11, 21, 11, 0, 0, TimeSpan.Zero),
            LastAttempt = Attempt("ep", 18, 2),
            Delivered = 10,
            Failed = 1,
            SkippedByRetention = 3,
            CaughtUp = false,
        };

        await Storage.WriteStateAsync(DeliveryState.GrainType, "ep", state);
        var read = await Storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, "ep");

        Assert.Equal(state, read);
        await Storage.WriteStateAsync(DeliveryState.GrainType, "ep", state with { Cursor = 18 });
        Assert.Equal(18, (await Storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, "ep"))!.Cursor);
        await Storage.ClearStateAsync(DeliveryState.GrainType, "ep");
        Assert.Null(await Storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, "ep"));
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

public sealed class MemoryStateAndAttemptsConformanceTests : StateAndAttemptsConformance
{
    public override Task InitializeAsync()
    {
        Storage = new MemoryGrainStorage();
        Attempts = new MemoryAttemptLog(Options.Create(new DeliveryOptions { AttemptRetentionPerEndpoint = 5 }), new AttemptCounter());
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresStateAndAttemptsConformanceTests : StateAndAttemptsConformance
{
    private PostgresProviderSet _set = null!;

    public override async Task InitializeAsync()
    {
        _set = await PostgresProviderSet.CreateAsync();
        Storage = _set.Storage;
        Attempts = _set.Attempts;
    }

    public override async Task DisposeAsync() => await _set.DisposeAsync();
}
