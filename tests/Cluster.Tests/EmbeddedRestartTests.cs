using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Cluster.Tests;

/// <summary>
/// The embedded hub as a user runs it, a real gateway process on its default storage (a SQLite file), stopped
/// cleanly or killed with SIGKILL and started again on the same data folder.
/// </summary>
public sealed class EmbeddedRestartTests : IAsyncLifetime
{
    private readonly string _dataPath = HeraldProcess.NewDataPath();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        if (Directory.Exists(_dataPath))
            Directory.Delete(_dataPath, recursive: true);
    }

    private Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>
        {
            ["Herald:DataPath"] = _dataPath,
            ["Herald:Delivery:RetrySchedule:0"] = "00:00:01",
            ["Herald:Delivery:RetrySchedule:1"] = "00:00:01",
            ["Herald:Delivery:RetrySchedule:2"] = "00:00:01",
            ["Herald:Delivery:Jitter"] = "0",
        };
        foreach (var (key, value) in InboundSigning.Sources)
            settings[key] = value!;
        return settings;
    }

    private async Task<HeraldProcess> StartAsync(string name)
    {
        var gateway = await HeraldProcess.StartGatewayAsync(name, Settings());
        await gateway.WaitReadyAsync();
        return gateway;
    }

    private static async Task<long> PushAsync(HeraldProcess gateway, string message)
    {
        using var response = await gateway.Client.PostAsJsonAsync("/api/push", new { message });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"push answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> GetAsync(HeraldProcess gateway, string path)
    {
        using var response = await gateway.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task RegisterAsync(HeraldProcess gateway, string url)
    {
        using var response = await gateway.Client.PostAsJsonAsync("/api/register", new { webhook_url = url });
        response.EnsureSuccessStatusCode();
    }

    private static string StripeEvent(string id) =>
        $$$$"""{"id":"{{{{id}}}}","object":"event","type":"invoice.payment_failed","data":{"object":{"object":"invoice","customer_email":"ada@example.com","amount_due":4200,"currency":"usd"}}}""";

    [Fact]
    public async Task After_a_clean_stop_registrations_cursors_retries_ids_inbound_events_and_replay_carry_on()
    {
        _receiver.Answer("/flaky", call => call <= 2 ? 503 : 200);
        long[] before;
        long stripeEvent;
        await using (var first = await StartAsync("embedded-first"))
        {
            await RegisterAsync(first, _receiver.Url("/ok"));
            await RegisterAsync(first, _receiver.Url("/flaky"));
            before = [await PushAsync(first, "one"), await PushAsync(first, "two"), await PushAsync(first, "three")];
            await Eventually.TrueAsync(() => _receiver.Delivered("/ok").Count == 3 && _receiver.All("/flaky").Count >= 1, "the first pushes are delivered, and the flaky receiver failed");

            using (var inbound = InboundSigning.Unsigned("ci", """{"build":7}""", delivery: "build-7", type: "build.finished"))
                (await first.Client.SendAsync(inbound)).EnsureSuccessStatusCode();
            using (var stripe = InboundSigning.Stripe(StripeEvent("evt_restart"), DateTimeOffset.UtcNow))
            {
                using var stored = await first.Client.SendAsync(stripe);
                stripeEvent = JsonDocument.Parse(await stored.Content.ReadAsStringAsync()).RootElement.GetProperty("event_id").GetInt64();
            }

            (await first.Client.PostAsJsonAsync("/api/subscriptions", new { sources = new[] { "stripe" }, callback_description = "billing" })).EnsureSuccessStatusCode();
            await first.StopAsync();
        }

        await using var second = await StartAsync("embedded-second");

        var webhooks = await GetAsync(second, "/api/webhooks");
        Assert.Equal(2, webhooks.GetProperty("total").GetInt32());
        var next = await PushAsync(second, "four");
        Assert.True(next > stripeEvent, $"ids continue after the restart: {next} after {stripeEvent}");

        // The healthy receiver gets the new message once, and nothing of before again: its cursor carried on.
        await Eventually.TrueAsync(() => _receiver.Delivered("/ok").Count == 4, "the fourth push reaches the healthy receiver");
        Assert.Equal([.. before, next], _receiver.Delivered("/ok").Select(r => r.MessageId).ToArray());
        Assert.Equal($"msg_{next}", _receiver.Delivered("/ok")[^1].Header("webhook-id"));

        // The retry pending at the stop is made after the start, and everything after it follows in order.
        await Eventually.TrueAsync(() => _receiver.Delivered("/flaky").Count == 4, "the flaky receiver catches up");
        Assert.Equal([.. before, next], _receiver.Delivered("/flaky").Select(r => r.MessageId).ToArray());

        // A listener that saw "one" resumes from it across the restart.
        await using (var listener = await SseClient.ConnectAsync(second.BaseAddress, "/stream", lastEventId: before[0].ToString(CultureInfo.InvariantCulture)))
        {
            var replayed = await listener.NextMessagesAsync(3);
            Assert.Equal(new[] { before[1], before[2], next }.Select(id => id.ToString(CultureInfo.InvariantCulture)), replayed.Select(e => e.Id));
        }

        var events = await GetAsync(second, "/api/events?source=ci");
        Assert.Equal("build-7", events.GetProperty("events")[0].GetProperty("delivery_id").GetString());
        var actions = await GetAsync(second, "/api/actions");
        Assert.Contains(actions.GetProperty("actions").EnumerateArray(), a => a.GetProperty("event_id").GetInt64() == stripeEvent);
        var subscriptions = await GetAsync(second, "/api/subscriptions");
        Assert.Equal("billing", subscriptions.GetProperty("subscriptions")[0].GetProperty("callback_description").GetString());

        // The same delivery sent again after the restart is still recognised.
        using var again = InboundSigning.Unsigned("ci", """{"build":7}""", delivery: "build-7", type: "build.finished");
        using var duplicate = await second.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
    }

    [Fact]
    public async Task Nothing_acknowledged_before_a_kill_is_lost()
    {
        var pushed = new List<long>();
        await using (var first = await StartAsync("embedded-killed"))
        {
            await RegisterAsync(first, _receiver.Url("/hook"));
            for (var i = 0; i < 20; i++)
                pushed.Add(await PushAsync(first, $"m{i}"));
            await RegisterAsync(first, _receiver.Url("/late"));

            // SIGKILL straight after the last acknowledgement: no shutdown code runs.
            await first.KillAsync();
        }

        await using var second = await StartAsync("embedded-restarted");

        var webhooks = await GetAsync(second, "/api/webhooks");
        Assert.Equal(2, webhooks.GetProperty("total").GetInt32());
        await using (var listener = await SseClient.ConnectAsync(second.BaseAddress, "/stream", lastEventId: "0"))
        {
            var replayed = await listener.NextMessagesAsync(pushed.Count);
            Assert.Equal(pushed.Select(id => id.ToString(CultureInfo.InvariantCulture)), replayed.Select(e => e.Id));
        }

        var next = await PushAsync(second, "after");
        Assert.Equal(pushed[^1] + 1, next);

        // At least once: every message reaches the receiver, any redelivery under the id it had before.
        await Eventually.TrueAsync(() => _receiver.Delivered("/hook").Select(r => r.MessageId).Distinct().Count() == pushed.Count + 1, "every message reaches the receiver");
        foreach (var delivery in _receiver.Delivered("/hook"))
            Assert.Equal($"msg_{delivery.MessageId}", delivery.Header("webhook-id"));
        await Eventually.TrueAsync(() => _receiver.Delivered("/late").Any(r => r.MessageId == next), "the endpoint registered just before the kill gets the next push");
    }

    [Fact]
    public async Task A_second_hub_on_the_same_data_folder_refuses_to_start_and_in_memory_leaves_no_file()
    {
        await using (var first = await StartAsync("embedded-owner"))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => HeraldProcess.StartGatewayAsync("embedded-intruder", Settings()));
            Assert.Contains("exited (1)", refused.Message, StringComparison.Ordinal);
            Assert.Contains($"Herald cannot start: Herald's data in {_dataPath} is in use by another Herald process", refused.Message, StringComparison.Ordinal);
            Assert.Equal(1, await PushAsync(first, "still served"));
        }

        var memoryPath = HeraldProcess.NewDataPath();
        await using (var inMemory = await HeraldProcess.StartAsync("embedded-in-memory", "Gateway", new Dictionary<string, string> { ["Herald:DataPath"] = memoryPath }, ["--in-memory"]))
        {
            await inMemory.WaitReadyAsync();
            Assert.Equal(1, await PushAsync(inMemory, "kept nowhere"));
        }

        Assert.False(Directory.Exists(memoryPath), "--in-memory creates no data folder");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Secrets_and_header_values_are_encrypted_in_a_folder_only_its_user_reads_and_still_sign_after_a_restart()
    {
        var secret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        const string Token = "receiver-token-SECRET-at-rest";
        await using (var first = await StartAsync("embedded-sealing"))
        {
            using var created = await first.Client.PostAsJsonAsync("/api/endpoints",
                new { url = _receiver.Url("/sealed"), secret, headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + Token } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            await PushAsync(first, "before");
            await Eventually.TrueAsync(() => _receiver.Delivered("/sealed").Count == 1, "the endpoint got the first push");
        }

        // What another user of the machine, or a copy of the folder without its key ring, would see.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dataPath));
        foreach (var file in Directory.GetFiles(_dataPath, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            var text = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret["whsec_".Length..], text, StringComparison.Ordinal);
        }

        await using var second = await StartAsync("embedded-sealing-again");
        var after = await PushAsync(second, "after");
        await Eventually.TrueAsync(() => _receiver.Delivered("/sealed").Any(r => r.MessageId == after), "the endpoint got the push after the restart");
        foreach (var delivery in _receiver.Delivered("/sealed"))
        {
            Assert.True(StandardWebhooks.Verifies(secret, delivery), "every delivery verifies with the secret given at registration");
            Assert.Equal("Bearer " + Token, delivery.Header("authorization"));
        }
    }
}
