using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Infrastructure.Sqlite;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Gateway.Tests;

/// <summary>
/// An embedded hub whose data file cannot grow (a full disk, made here with SQLite's own page limit on the writer):
/// writes answer 503 with what is wrong, nothing already accepted is lost, and the hub carries on once there is room.
/// </summary>
public sealed class DataFileFullTests
{
    [Fact]
    public async Task A_full_data_file_answers_503_keeps_what_was_accepted_and_recovers_when_there_is_room()
    {
        var settings = HeraldServer.OnSqlite();
        foreach (var (key, value) in InboundSigning.Sources)
            settings[key] = value;
        await using var server = await HeraldServer.StartAsync(settings);
        var accepted = await server.PostJsonAsync("/api/push", new { message = "before the disk filled", wait = false }, HttpStatusCode.Accepted);
        var database = server.Services.GetRequiredService<SqliteDatabase>();
        var pages = await database.WriteAsync(commands => (long)commands.Command("PRAGMA page_count").ExecuteScalar()!);
        await database.WriteAsync(commands => commands.Command($"PRAGMA max_page_count = {pages}").ExecuteScalar());

        var big = new string('x', 200_000);
        using (var refused = await server.Client.PostAsJsonAsync("/api/push", new { message = big, wait = false }))
        {
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
            Assert.Contains("data file cannot be written", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Any other write meets the same answer (here an inbound event, through the shared error handler).
        using (var inbound = InboundSigning.Unsigned("ci", "{\"log\":\"" + big + "\"}", delivery: "build-1", type: "build.finished"))
        using (var stored = await server.Client.SendAsync(inbound))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, stored.StatusCode);
            Assert.Contains("data file cannot be written", JsonDocument.Parse(await stored.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Room again: the next push is appended after the one accepted before, which is still there.
        await database.WriteAsync(commands => commands.Command("PRAGMA max_page_count = 1073741823").ExecuteScalar());
        var after = await server.PostJsonAsync("/api/push", new { message = big, wait = false }, HttpStatusCode.Accepted);
        Assert.Equal(accepted.GetProperty("id").GetInt64() + 1, after.GetProperty("id").GetInt64());
        using (var retried = InboundSigning.Unsigned("ci", "{}", delivery: "build-1", type: "build.finished"))
            Assert.Equal(HttpStatusCode.Accepted, (await server.Client.SendAsync(retried)).StatusCode);
        var messages = await server.GetJsonAsync("/api/channels/messages?channel=default&limit=10");
        Assert.Contains(messages.GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetInt64() == accepted.GetProperty("id").GetInt64());
    }
}
