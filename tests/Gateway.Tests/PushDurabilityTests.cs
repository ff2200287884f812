using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using Npgsql;

namespace Herald.Gateway.Tests;

/// <summary>
/// What a push's answer promises: a 2xx means the message is committed, a 503 means it was not appended, and a
/// retry with the same Idempotency-Key never pushes a message twice.
/// </summary>
public sealed class PushDurabilityTests
{
    [Fact]
    public async Task A_push_committed_before_postgres_crashes_answers_2xx_with_its_id_and_is_delivered_once_it_is_back()
    {
        await using var postgres = await PostgresServer.StartDedicatedAsync(crashSafeCommits: true);
        var settings = HeraldServer.OnPostgres(await postgres.CreateDatabaseAsync());
        settings["Herald:Delivery:Timeout"] = "00:00:02";
        await using var receiver = await WebhookReceiver.StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Behave("hung", async (_, _) =>
        {
            arrived.TrySetResult();
            await release.Task;
            return (200, null);
        });
        await using var server = await HeraldServer.StartAsync(settings);
        await server.CreateEndpointAsync(receiver.Url("hung"));
        await server.CreateEndpointAsync(receiver.Url("steady"));

        try
        {
            var push = server.Client.PostAsJsonAsync("/api/push", new { message = "repro-503-commit", wait = true });
            await arrived.Task.WaitAsync(Eventually.Timeout);
            await postgres.StopAsync(immediate: true);
            using var response = await push;
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

            Assert.True(response.IsSuccessStatusCode, $"the committed push answered {(int)response.StatusCode}: {body}");
            var id = body.GetProperty("id").GetInt64();
            Assert.True(body.GetProperty("total_webhooks").GetInt32() == 2, body.ToString());

            release.TrySetResult();
            await postgres.StartAgainAsync();
            // The steady endpoint's grain may have been on its way up (reading PostgreSQL) when the server died: its
            // wake is then lost with it, and the sweep that runs when PostgreSQL is back delivers the message.
            await Eventually.TrueAsync(() => receiver.Delivered("hung").Any(r => r.MessageId == id) && receiver.Delivered("steady").Any(r => r.MessageId == id),
                "both receivers got the message, after the outage at the latest");
            Assert.Equal([id], receiver.Delivered("steady").Select(r => r.MessageId).Distinct().ToArray());
            Assert.True(1 == await CountInLogAsync(settings, "repro-503-commit"), await DumpAsync(settings));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_retry_with_the_same_idempotency_key_answers_with_the_first_message_and_delivers_nothing_new(bool cluster)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(cluster ? HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync()) : null);
        await server.CreateEndpointAsync(receiver.Url("hook"));

        var (firstStatus, first) = await PushWithKeyAsync(server, "order-42-shipped", "key-1");
        var (againStatus, again) = await PushWithKeyAsync(server, "order-42-shipped", "key-1");
        var (otherStatus, other) = await PushWithKeyAsync(server, "order-43-shipped", "key-2");
        var (reusedStatus, reused) = await PushWithKeyAsync(server, "something else", "key-1");

        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.False(first.TryGetProperty("duplicate", out _));
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
        Assert.Equal(first.GetProperty("timestamp").GetString(), again.GetProperty("timestamp").GetString());
        Assert.Equal(HttpStatusCode.OK, otherStatus);
        Assert.NotEqual(first.GetProperty("id").GetInt64(), other.GetProperty("id").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, reusedStatus);
        Assert.Contains("Idempotency-Key 'key-1' was used for a different push", reused.GetProperty("error").GetString(), StringComparison.Ordinal);

        await Eventually.TrueAsync(() => receiver.Delivered("hook").Count == 2, "both distinct messages arrived");
        Assert.Equal(["order-42-shipped", "order-43-shipped"], receiver.All("hook").Select(r => r.Message).ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_idempotency_key_is_a_400_naming_the_header(string key)
    {
        await using var server = await HeraldServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = JsonContent.Create(new { message = "m" }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_refused_while_postgres_is_down_names_a_key_whose_retry_is_recognised()
    {
        await using var postgres = await PostgresServer.StartDedicatedAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(HeraldServer.OnPostgres(await postgres.CreateDatabaseAsync()));
        await server.CreateEndpointAsync(receiver.Url("hook"));

        await postgres.StopAsync();
        using var refused = await server.Client.PostAsJsonAsync("/api/push", new { message = "during the outage" });
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var key = problem.GetProperty("idempotency_key").GetString()!;
        Assert.Contains($"Idempotency-Key: {key}", problem.GetProperty("error").GetString(), StringComparison.Ordinal);

        await postgres.StartAgainAsync();
        await Eventually.TrueAsync(async () => (await server.Client.GetAsync("/readyz")).IsSuccessStatusCode, "the gateway is ready again");
        var (retryStatus, retry) = await PushWithKeyAsync(server, "during the outage", key);
        var (againStatus, again) = await PushWithKeyAsync(server, "during the outage", key);

        Assert.Equal(HttpStatusCode.OK, retryStatus);
        Assert.False(retry.TryGetProperty("duplicate", out _));
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.Equal(retry.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
        await Eventually.TrueAsync(() => receiver.Delivered("hook").Count == 1, "the message arrived");
        Assert.Single(receiver.All("hook"));
    }

    [Fact]
    public async Task When_counting_subscribers_fails_after_the_append_the_push_answers_202_with_its_id_and_a_warning()
    {
        var settings = HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync());
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(settings);
        await server.CreateEndpointAsync(receiver.Url("hook"));

        // The subscriber list is read after the append (the registration emptied its cache); take the table away
        // in between, as a failing database would.
        await ExecuteAsync(settings, "ALTER TABLE herald_endpoints RENAME TO herald_endpoints_away");
        using var response = await server.Client.PostAsJsonAsync("/api/push", new { message = "committed first" });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        await ExecuteAsync(settings, "ALTER TABLE herald_endpoints_away RENAME TO herald_endpoints");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("do not push it again", body.GetProperty("warning").GetString(), StringComparison.Ordinal);
        var id = body.GetProperty("id").GetInt64();
        await Eventually.TrueAsync(() => receiver.Delivered("hook").Any(r => r.MessageId == id), "the committed message is delivered");
        Assert.Equal(1, await CountInLogAsync(settings, "committed first"));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PushWithKeyAsync(HeraldServer server, string message, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = JsonContent.Create(new { message }) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await server.Client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<long> CountInLogAsync(Dictionary<string, string?> settings, string message)
    {
        await using var connection = new NpgsqlConnection(settings["ConnectionStrings:Postgres"]);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM herald_log WHERE message = $1", connection) { Parameters = { new() { Value = message } } };
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<string> DumpAsync(Dictionary<string, string?> settings)
    {
        await using var connection = new NpgsqlConnection(settings["ConnectionStrings:Postgres"]);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT string_agg(seq || ':' || message, ',') FROM herald_log", connection);
        return (await count.ExecuteScalarAsync())?.ToString() ?? "empty";
    }

    private static async Task ExecuteAsync(Dictionary<string, string?> settings, string sql)
    {
        await using var connection = new NpgsqlConnection(settings["ConnectionStrings:Postgres"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
