using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using Npgsql;

namespace Herald.Gateway.Tests;

/// <summary>
/// An append that rolls back (or a database crash) leaves its sequence number unused. Such a hole held no message:
/// listeners get no reset, a replay across it is whole, and no endpoint counts it as skipped by retention.
/// </summary>
public sealed class SequenceGapTests
{
    [Fact]
    public async Task A_sequence_number_taken_by_a_rolled_back_append_is_not_reported_as_retention_loss()
    {
        var settings = HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync());
        for (var i = 0; i < 20; i++)
            settings[$"Herald:Delivery:RetrySchedule:{i}"] = "00:00:00.200";
        await using var receiver = await WebhookReceiver.StartAsync();
        var up = false;
        receiver.Answer("backlogged", _ => Volatile.Read(ref up) ? 200 : 503);
        await using var server = await HeraldServer.StartAsync(settings);
        var endpoint = await server.CreateEndpointAsync(receiver.Url("backlogged"));
        await using var live = await SseClient.ConnectAsync(server.BaseAddress);
        await live.NextAsync();

        // The endpoint is retrying the first message (so it is behind, and counts retention gaps) when it meets the hole.
        var first = (await server.PushAsync("before the hole", wait: false)).GetProperty("id").GetInt64();
        await Eventually.TrueAsync(() => receiver.All("backlogged").Count >= 1, "the first attempt failed");
        await using (var connection = new NpgsqlConnection(settings["ConnectionStrings:Postgres"]))
        {
            await connection.OpenAsync();
            await using var burn = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('herald_log', 'seq'))", connection);
            await burn.ExecuteScalarAsync();
        }

        var second = (await server.PushAsync("after the hole", wait: false)).GetProperty("id").GetInt64();
        Assert.Equal(first + 2, second);
        Volatile.Write(ref up, true);

        Assert.Equal([first, second], await MessagesWithoutResetAsync(live, 2));
        await using (var replay = await SseClient.ConnectAsync(server.BaseAddress, lastEventId: "0"))
        {
            await replay.NextAsync();
            Assert.Equal([first, second], await MessagesWithoutResetAsync(replay, 2));
        }

        await Eventually.TrueAsync(() => receiver.Delivered("backlogged").Count == 2, "both messages were delivered");
        Assert.Equal([first, second], receiver.Delivered("backlogged").Select(r => r.MessageId).ToArray());
        var status = await server.StatusWhenAsync(endpoint, s => s.GetProperty("cursor").GetInt64() == second, "the endpoint is done with both");
        Assert.Equal(0, status.GetProperty("skipped_by_retention").GetInt64());
        Assert.Equal(2, status.GetProperty("delivered").GetInt64());
    }

    private static async Task<long[]> MessagesWithoutResetAsync(SseClient listener, int count)
    {
        var ids = new List<long>();
        while (ids.Count < count)
        {
            var next = await listener.NextAsync();
            Assert.NotEqual("reset", next.Event);
            if (next.Id is not null && next.Event == "message")
                ids.Add(long.Parse(next.Id, System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids.ToArray();
    }
}
