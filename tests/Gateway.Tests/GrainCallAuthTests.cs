using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Silo.Cluster;
using Herald.Testing;
using Npgsql;

namespace Herald.Gateway.Tests;

/// <summary>
/// The silo-to-silo grain call route acts on grains directly, below the API's keys and scopes: it must not be
/// reachable without the cluster key, in any mode. The requests are the ones an outside test used to forge a push.
/// </summary>
public sealed class GrainCallAuthTests
{
    private const string ForgedPush =
        "{\"interface\":\"Herald.IBroadcasterGrain\",\"key\":\"default\",\"method\":\"PushAsync\",\"args\":[{\"topic\":\"default\",\"message\":\"INJECTED\",\"wait\":false}]}";

    private static string ForgedDelete(string endpointId) =>
        $"{{\"interface\":\"Herald.IWebhookGrain\",\"key\":\"{endpointId}\",\"method\":\"DeleteAsync\",\"args\":[]}}";

    [Fact]
    public async Task An_embedded_hub_has_no_grain_call_route()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(TestKeys.Settings());
        await RegisterAsync(server, receiver.Url("hook"));

        using var forged = await server.Client.PostAsync(GrainCallApi.Path, new StringContent(ForgedPush, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        await AssertOnlyGenuinePushArrivesAsync(server, receiver);
    }

    [Fact]
    public async Task In_a_cluster_grain_calls_without_the_cluster_key_are_refused_and_touch_no_grain()
    {
        var settings = TestKeys.Settings();
        foreach (var (key, value) in HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync()))
            settings[key] = value;
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(settings);
        var endpointId = await RegisterAsync(server, receiver.Url("hook"));

        foreach (var body in new[] { ForgedPush, ForgedDelete(endpointId) })
        {
            foreach (var key in new[] { null, "wrong-key-wrong-key", TestKeys.ByScope["all"] })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, GrainCallApi.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                if (key is not null)
                    request.Headers.Add(RemoteGrainInvoker.KeyHeader, key);
                using var forged = await server.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            }
        }

        using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/endpoints/{endpointId}");
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.ByScope["all"]);
        using var stillThere = await server.Client.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        await AssertOnlyGenuinePushArrivesAsync(server, receiver);

        // No key was configured, so the cluster made one and keeps it in the database, long and random.
        await using var database = new NpgsqlConnection(settings["ConnectionStrings:Postgres"]);
        await database.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT key FROM herald_cluster_key", database);
        Assert.Matches("^[0-9A-F]{64}$", (string)(await read.ExecuteScalarAsync())!);
    }

    private static async Task<string> RegisterAsync(HeraldServer server, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/endpoints") { Content = new StringContent($"{{\"url\":\"{url}\"}}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.ByScope["all"]);
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A genuine push arrives, and before it nothing else did: the forged one was never appended.</summary>
    private static async Task AssertOnlyGenuinePushArrivesAsync(HeraldServer server, WebhookReceiver receiver)
    {
        using var push = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = new StringContent("{\"message\":\"genuine\"}", Encoding.UTF8, "application/json") };
        push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.ByScope["push"]);
        using var pushed = await server.Client.SendAsync(push);
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        await Eventually.TrueAsync(() => receiver.Delivered("hook").Count == 1, "the genuine push arrived");
        Assert.Equal(["genuine"], receiver.All("hook").Select(r => r.Message).ToArray());
    }
}
