using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary><c>GET /api/stats/rates</c>: pushes, deliveries and failures per second, embedded and on PostgreSQL.</summary>
public sealed class RateHistoryTests
{
    private static readonly Dictionary<string, string?> FastSamples = new()
    {
        ["Herald:Rates:SampleInterval"] = "00:00:00.100",
        ["Herald:Rates:Window"] = "00:00:30",
    };

    [Fact]
    public Task Rates_count_pushes_deliveries_and_failures_in_embedded_mode() => RatesCountEverythingAsync(FastSamples);

    [Fact]
    public async Task Rates_count_pushes_deliveries_and_failures_across_the_cluster_database()
    {
        var settings = HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync());
        foreach (var (key, value) in FastSamples)
            settings[key] = value;
        await RatesCountEverythingAsync(settings);
    }

    [Fact]
    public async Task The_history_keeps_only_the_window()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Rates:SampleInterval"] = "00:00:00.050",
            ["Herald:Rates:Window"] = "00:00:00.200",
        });

        // Four samples fill the window; several intervals later it still holds four, the newest.
        await Eventually.TrueAsync(async () => (await RatesAsync(server)).GetProperty("samples").GetArrayLength() == 4, "the window is full");
        var full = await RatesAsync(server);
        var newest = full.GetProperty("samples").EnumerateArray().Last().GetProperty("at").GetDateTimeOffset();
        JsonElement later = default;
        await Eventually.TrueAsync(async () =>
        {
            later = await RatesAsync(server);
            return later.GetProperty("samples").EnumerateArray().First().GetProperty("at").GetDateTimeOffset() > newest;
        }, "the window has moved on past every sample seen before");

        Assert.Equal(4, later.GetProperty("samples").GetArrayLength());
        Assert.Equal(0.05, later.GetProperty("interval_seconds").GetDouble(), 6);
        Assert.Equal(0.2, later.GetProperty("window_seconds").GetDouble(), 6);
        var times = later.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("at").GetDateTimeOffset()).ToArray();
        Assert.Equal(times.Order(), times);
    }

    [Theory]
    [InlineData("00:00:05", "00:00:01", "at least one sample interval")]
    [InlineData("00:00:00.100", "1.00:00:00", "at most 100000 samples")]
    [InlineData("00:00:00", "00:10:00", "SampleInterval")]
    public async Task Rate_settings_that_make_no_sense_stop_the_start_with_a_message(string interval, string window, string expected)
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => HeraldServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Rates:SampleInterval"] = interval,
            ["Herald:Rates:Window"] = window,
        }));

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    private static async Task RatesCountEverythingAsync(IReadOnlyDictionary<string, string?> settings)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("down", _ => 500);
        await using var server = await HeraldServer.StartAsync(settings);
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("up") });
        await server.PostJsonAsync("/api/register", new { webhook_url = receiver.Url("down") });

        for (var i = 0; i < 5; i++)
            await server.PushAsync($"counted {i}");

        // Each series has a sample above zero once the sampler has read past the activity.
        await Eventually.TrueAsync(async () =>
        {
            var samples = (await RatesAsync(server)).GetProperty("samples").EnumerateArray().ToArray();
            return samples.Any(s => s.GetProperty("pushes_per_second").GetDouble() > 0) &&
                   samples.Any(s => s.GetProperty("deliveries_per_second").GetDouble() > 0) &&
                   samples.Any(s => s.GetProperty("failures_per_second").GetDouble() > 0);
        }, "pushes, deliveries and failures all show in the rates");

        // The samples' counts add up to what happened: five pushes, five deliveries to "up", and every attempt
        // at "down" (the first and each retry) a failure.
        await Eventually.TrueAsync(() => receiver.Requests.Count(r => r.Path == "/down") == 5 * 6, "every attempt at the failing endpoint is made");
        await Eventually.TrueAsync(async () =>
        {
            var samples = (await RatesAsync(server)).GetProperty("samples").EnumerateArray().ToArray();
            return samples.Sum(s => s.GetProperty("pushes").GetInt64()) == 5 &&
                   samples.Sum(s => s.GetProperty("deliveries").GetInt64()) == 5 &&
                   samples.Sum(s => s.GetProperty("failures").GetInt64()) == 5 * 6;
        }, "the counts add up to 5 pushes, 5 deliveries and 30 failed attempts");
    }

    private static Task<JsonElement> RatesAsync(HeraldServer server) => server.GetJsonAsync("/api/stats/rates");
}
