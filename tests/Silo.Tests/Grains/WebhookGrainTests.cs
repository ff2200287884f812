using Herald.Contracts;
using Herald.Silo.Tests.Infrastructure;
using Herald.MessageLog;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Silo.Tests.Grains;

/// <summary>The webhook grain's promises on Orleans's in-process test cluster, against a real HTTP receiver.</summary>
public sealed class WebhookGrainTests
{
    [Fact]
    public async Task A_burst_is_delivered_in_log_order_and_the_state_counts_it()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("order");
        var pushed = new List<long>();
        for (var i = 0; i < 40; i++)
            pushed.Add((await cluster.PushAsync($"m{i}")).Seq);

        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("order").Count == 40, "all 40 were delivered");
        Assert.Equal(pushed, cluster.Receiver.Delivered("order").Select(r => r.MessageId));
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == pushed[^1], "the last success was recorded");
        var state = await cluster.StateAsync(endpoint);
        Assert.Equal((pushed[^1], 40L, (long?)null), (state.Cursor, state.Delivered, state.PendingSeq));
        await Eventually.TrueAsync(async () => (await cluster.StoredStateAsync(endpoint)).State?.Cursor == pushed[^1], "the state was written behind");
    }

    [Fact]
    public async Task A_failing_message_is_retried_before_any_later_one_is_attempted()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("retry");
        cluster.Receiver.Answer("retry", call => call <= 2 ? 500 : 200);
        var first = (await cluster.PushAsync("one")).Seq;
        var second = (await cluster.PushAsync("two")).Seq;

        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("retry").Count == 2, "both were delivered");
        Assert.Equal([(first, 500), (first, 500), (first, 200), (second, 200)],
            cluster.Receiver.All("retry").Select(r => (r.MessageId, r.AnsweredStatus)));
        var ids = cluster.Receiver.All("retry").Take(3).Select(r => r.Header("webhook-id")).Distinct();
        Assert.Single(ids);
        await Eventually.TrueAsync(async () => (await cluster.Attempts.ListAsync(endpoint, 10)).Total == 4, "all four attempts were logged");
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_where_it_stands_and_enable_resumes_from_there()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("gone");
        var gone = true;
        cluster.Receiver.Answer("gone", _ => Volatile.Read(ref gone) ? 410 : 200);
        var first = (await cluster.PushAsync("one")).Seq;
        var second = (await cluster.PushAsync("two")).Seq;

        await Eventually.TrueAsync(async () => (await cluster.Registry.GetAsync(endpoint))?.Enabled == false, "the endpoint was disabled");
        var disabled = (await cluster.Registry.GetAsync(endpoint))!;
        Assert.Equal("The endpoint answered 410 Gone.", disabled.DisabledReason);
        Assert.Single(cluster.Receiver.All("gone"));
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).PendingSeq == first, "the failed attempt was recorded");
        Assert.Equal(first - 1, (await cluster.StateAsync(endpoint)).Cursor);

        Volatile.Write(ref gone, false);
        Assert.True(await cluster.Webhook(endpoint).EnableAsync());
        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("gone").Count == 2, "both were delivered after enable");
        Assert.Equal([first, second], cluster.Receiver.Delivered("gone").Select(r => r.MessageId));
        Assert.True((await cluster.Registry.GetAsync(endpoint))!.Enabled);
        Assert.False(await cluster.Webhook("ep_never_registered").EnableAsync());
    }

    [Fact]
    public async Task Replay_redelivers_from_a_point_with_the_same_webhook_ids()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("replay");
        var seqs = new List<long>();
        for (var i = 0; i < 3; i++)
            seqs.Add((await cluster.PushAsync($"m{i}")).Seq);
        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("replay").Count == 3, "the first pass was delivered");
        var firstPass = cluster.Receiver.Delivered("replay").ToDictionary(r => r.MessageId, r => r.Header("webhook-id"));

        var result = await cluster.Webhook(endpoint).ReplayAsync(new ReplayRequest(seqs[1], null));
        Assert.NotNull(result);
        Assert.Equal((seqs[1], 2L), (result.FromId, result.Pending));
        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("replay").Count == 5, "the replay was delivered");
        var replayed = cluster.Receiver.Delivered("replay").Skip(3).ToList();
        Assert.Equal(seqs[1..], replayed.Select(r => r.MessageId));
        Assert.All(replayed, r => Assert.Equal(firstPass[r.MessageId], r.Header("webhook-id")));
        Assert.Null(await cluster.Webhook("ep_never_registered").ReplayAsync(new ReplayRequest(1, null)));
    }

    [Fact]
    public async Task A_deactivated_grain_comes_back_with_its_state_and_does_not_redeliver()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("reactivate");
        long fifth = 0;
        for (var i = 0; i < 5; i++)
            fifth = (await cluster.PushAsync($"m{i}")).Seq;
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == fifth, "five were delivered and recorded");
        var before = cluster.ActivationOf(endpoint);
        Assert.NotNull(before);

        // Deactivation writes the state still held behind, so none of the five is delivered again.
        await cluster.Cluster.DeactivateAsync(cluster.Webhook(endpoint));
        Assert.Null(cluster.ActivationOf(endpoint));
        Assert.Equal(0, cluster.Counters(0).PendingStateWrites);
        var sixth = (await cluster.PushAsync("m5")).Seq;

        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("reactivate").Count == 6, "the sixth was delivered");
        Assert.NotEqual(before, cluster.ActivationOf(endpoint));
        Assert.Equal(sixth, cluster.Receiver.Delivered("reactivate")[^1].MessageId);
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == sixth, "the sixth success was recorded");
        var state = await cluster.StateAsync(endpoint);
        Assert.Equal((sixth, 6L), (state.Cursor, state.Delivered));
    }

    [Fact]
    public async Task A_caught_up_grain_delivers_the_entry_its_wake_carries_and_reads_the_log_only_past_a_gap()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("carried");
        var first = (await cluster.PushAsync("activates it")).Seq;
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == first, "the first was delivered");
        var readsWhenCaughtUp = cluster.SiloLog.Reads;

        // Caught up: each wake carries the next entry, and the grain delivers it as it is.
        var carried = new List<long>();
        for (var i = 0; i < 5; i++)
            carried.Add((await cluster.PushAsync($"carried {i}")).Seq);
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == carried[^1], "the five were delivered");
        Assert.Equal(readsWhenCaughtUp, cluster.SiloLog.Reads);

        // An entry no wake carried (appended behind the broadcaster's back) leaves a gap before the next wake's: the
        // grain reads the log for it, and delivers both in order.
        var unannounced = await cluster.Log.AppendAsync("default", "no wake carried this");
        var next = (await cluster.PushAsync("after the gap")).Seq;
        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("carried").Count == 8, "the gap and the wake's entry were delivered");
        Assert.Equal([.. carried, unannounced.Seq, next], cluster.Receiver.Delivered("carried").Skip(1).Select(r => r.MessageId));
        Assert.True(cluster.SiloLog.Reads > readsWhenCaughtUp, "the gap was read from the log");

        // A wake that carries an entry already delivered changes nothing.
        await cluster.Webhook(endpoint).DeliverAsync(unannounced);
        await cluster.Webhook(endpoint).ResumeAsync();
        var state = await cluster.StateAsync(endpoint);
        Assert.Equal((next, 8L, 8), (state.Cursor, state.Delivered, cluster.Receiver.Delivered("carried").Count));
    }

    [Fact]
    public async Task Calls_are_answered_while_a_receiver_hangs_and_its_answer_is_recorded_when_it_comes()
    {
        await using var cluster = await GrainTestCluster.StartAsync(delivery: options => options.Timeout = TimeSpan.FromMinutes(1));
        var endpoint = await cluster.AddEndpointAsync("hangs");
        var arrived = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        cluster.Receiver.Behave("hangs", async (_, call) =>
        {
            if (call == 1)
            {
                arrived.TrySetResult();
                await release.Task;
            }

            return (200, null);
        });

        var first = (await cluster.PushAsync("held by the receiver")).Seq;
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The attempt is on the wire and stays there: the grain's turns go on meanwhile. Wakes and a call that waits
        // for the grain to run are answered, and the later messages wait their turn behind the first.
        var later = new List<long>();
        for (var i = 0; i < 5; i++)
            later.Add((await cluster.PushAsync($"after it {i}")).Seq);
        await cluster.Webhook(endpoint).ResumeAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(release.Task.IsCompleted);
        Assert.Empty(cluster.Receiver.Delivered("hangs"));

        release.SetResult();
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Delivered == 6, "all six were delivered and recorded");
        Assert.Equal([first, .. later], cluster.Receiver.Delivered("hangs").Select(r => r.MessageId));
    }

    [Fact]
    public async Task After_a_crash_the_next_activation_takes_the_progress_its_state_missed_from_the_attempt_log()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("crashed");
        var seqs = new List<long>();
        for (var i = 0; i < 5; i++)
            seqs.Add((await cluster.PushAsync($"m{i}")).Seq);
        await Eventually.TrueAsync(async () => (await cluster.Attempts.ListAsync(endpoint, 10)).Total == 5, "five attempts were logged");
        await cluster.Cluster.DeactivateAsync(cluster.Webhook(endpoint));
        Assert.False((await cluster.StoredStateAsync(endpoint)).State!.Open);

        // As if the silo had died after the second delivery's state write: the stored state is two deliveries in,
        // and says its activation did not end cleanly. The attempt log holds all five.
        var attempts = (await cluster.Attempts.ListAsync(endpoint, 10)).Attempts;
        var stored = await cluster.StoredStateAsync(endpoint);
        stored.State = stored.State! with { Cursor = seqs[1], Delivered = 2, LastAttempt = attempts.Single(a => a.MessageId == seqs[1]), Open = true };
        await cluster.WriteStoredStateAsync(endpoint, stored);

        var sixth = (await cluster.PushAsync("m5")).Seq;
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == sixth, "the sixth was delivered");
        Assert.All(cluster.Receiver.All("crashed").GroupBy(r => r.MessageId), g => Assert.Single(g));
        Assert.Equal(6L, (await cluster.StateAsync(endpoint)).Delivered);
    }

    [Fact]
    public async Task A_pending_retry_survives_deactivation_and_its_reminder_brings_the_grain_back()
    {
        // A retry due in 2 s: longer than the reminder period, so only the reminder keeps it.
        await using var cluster = await GrainTestCluster.StartAsync(delivery: options => options.RetrySchedule = [TimeSpan.FromSeconds(2)]);
        var endpoint = await cluster.AddEndpointAsync("reminded");
        cluster.Receiver.Answer("reminded", call => call == 1 ? 503 : 200);
        var seq = (await cluster.PushAsync("later")).Seq;
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).NextAttemptAt is not null, "the retry was scheduled");

        await cluster.Cluster.DeactivateAsync(cluster.Webhook(endpoint));
        Assert.Null(cluster.ActivationOf(endpoint));
        Assert.Single(cluster.Receiver.All("reminded"));

        // Nothing calls the grain now: only its reminder can activate it again.
        await Eventually.TrueAsync(() => cluster.Receiver.Delivered("reminded").Count == 1, "the reminder brought the retry", TimeSpan.FromSeconds(30));
        Assert.Equal(seq, cluster.Receiver.Delivered("reminded")[0].MessageId);
        Assert.NotNull(cluster.ActivationOf(endpoint));

        // The receiver has answered; the grain records the success a moment later.
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == seq, "the success was recorded");
        var state = await cluster.StateAsync(endpoint);
        Assert.Equal(((long?)null, 1L), (state.PendingSeq, state.Delivered));
    }

    [Fact]
    public async Task A_stale_activation_that_meets_a_newer_etag_stops_and_the_next_activation_reads_the_newer_state()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("stale");
        var first = (await cluster.PushAsync("one")).Seq;
        await Eventually.TrueAsync(async () => (await cluster.StoredStateAsync(endpoint)).State?.Cursor == first, "the first delivery was written");
        var stale = cluster.ActivationOf(endpoint);

        // Another writer (as a second activation would) moves the stored state on; the active one does not know.
        var stored = await cluster.StoredStateAsync(endpoint);
        stored.State = stored.State! with { Delivered = 1000 };
        await cluster.WriteStoredStateAsync(endpoint, stored);

        var second = (await cluster.PushAsync("two")).Seq;
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Delivered >= 1000, "a new activation read the newer state");
        Assert.NotEqual(stale, cluster.ActivationOf(endpoint));

        // The stale activation's progress never reached storage, so the new one delivers the second message again,
        // with the same webhook-id: at least once, and never lost.
        await Eventually.TrueAsync(async () => (await cluster.StateAsync(endpoint)).Cursor == second, "the new activation caught up");
        var seconds = cluster.Receiver.Delivered("stale").Where(r => r.MessageId == second).ToList();
        Assert.InRange(seconds.Count, 1, 2);
        Assert.Single(seconds.Select(r => r.Header("webhook-id")).Distinct());
        await Eventually.TrueAsync(async () => (await cluster.StoredStateAsync(endpoint)).State?.Cursor == second, "the new activation wrote its progress");
        Assert.True((await cluster.StoredStateAsync(endpoint)).State!.Delivered >= 1001);
    }

    [Fact]
    public async Task Delete_removes_the_endpoint_its_state_and_its_attempts()
    {
        await using var cluster = await GrainTestCluster.StartAsync();
        var endpoint = await cluster.AddEndpointAsync("deleted");
        await cluster.PushAsync("one");
        await Eventually.TrueAsync(async () => (await cluster.StoredStateAsync(endpoint)).RecordExists, "the state was written");

        Assert.True(await cluster.Webhook(endpoint).DeleteAsync());
        Assert.Null(await cluster.Registry.GetAsync(endpoint));
        Assert.False((await cluster.StoredStateAsync(endpoint)).RecordExists);
        Assert.Equal(0, (await cluster.Attempts.ListAsync(endpoint, 10)).Total);
        Assert.Null(await cluster.Webhook(endpoint).GetStateAsync());
        await cluster.PushAsync("two");
        Assert.Single(cluster.Receiver.All("deleted"));
    }

    [Fact]
    public async Task Webhook_grains_are_spread_over_the_silos()
    {
        await using var cluster = await GrainTestCluster.StartAsync(silos: 2);
        const int endpoints = 40;
        for (var i = 0; i < endpoints; i++)
            await cluster.AddEndpointAsync($"spread{i}");
        await cluster.PushAsync("everyone");

        await Eventually.TrueAsync(() => cluster.Receiver.Requests.Count == endpoints, "every endpoint got the message");
        var perSilo = new[] { cluster.Counters(0).ActiveGrains, cluster.Counters(1).ActiveGrains };
        Assert.Equal(endpoints, perSilo.Sum());
        Assert.All(perSilo, count => Assert.InRange(count, 8, endpoints - 8));
    }
}
