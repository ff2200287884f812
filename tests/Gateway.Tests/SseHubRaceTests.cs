using Herald.Contracts;
using Herald.Gateway.Sse;
using Herald.Gateway.Tests.Infrastructure;
using Herald.MessageLog;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Tests;

/// <summary>
/// A race between the SSE hub's two sources, found under load in a cluster: the stream's announcements had already
/// brought the hub to the log's head, so its read of the log found nothing, and more entries were committed before it
/// asked where the log ends. Pinned here by a log that commits those entries at exactly that moment.
/// </summary>
public sealed class SseHubRaceTests
{
    [Fact]
    public async Task Entries_committed_between_an_empty_read_and_the_bounds_query_still_reach_listeners()
    {
        RacingLog? racing = null;
        await using var server = await HeraldServer.StartAsync(configure: builder => builder.Services.AddSingleton(sp => new SseHub(
            racing = new RacingLog(sp.GetRequiredService<IMessageLog>()), sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IOptions<SseOptions>>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<SseHub>>())));
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress);
        await listener.NextAsync();
        var before = (await server.PushAsync("before", wait: false)).GetProperty("id").GetInt64();
        Assert.Equal(before.ToString(System.Globalization.CultureInfo.InvariantCulture), (await listener.NextMessagesAsync(1))[0].Id);

        racing!.Arm(committedMeanwhile: 3);
        var trigger = (await server.PushAsync("trigger", wait: false)).GetProperty("id").GetInt64();

        var received = (await listener.NextMessagesAsync(4)).Select(m => long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(racing.Fired, "the hub read the log and then asked for its bounds, as in the race");
        Assert.Equal(Enumerable.Range(0, 4).Select(i => trigger + i).ToArray(), received);
    }

    /// <summary>
    /// The log as the hub sees it, with one race staged: once armed, the next read finds nothing new, and the bounds
    /// query that follows it finds entries committed in between (appended without a stream announcement, as those
    /// still on their way are).
    /// </summary>
    private sealed class RacingLog(IMessageLog inner) : IMessageLog
    {
        private int _armed;
        private int _pendingBounds;

        public bool Fired { get; private set; }

        public void Arm(int committedMeanwhile) => Volatile.Write(ref _armed, committedMeanwhile);

        public async ValueTask<IReadOnlyList<LogEntry>> ReadAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _armed, 0) is var count and > 0)
            {
                Volatile.Write(ref _pendingBounds, count);
                return [];
            }

            return await inner.ReadAsync(afterSeq, maxCount, cancellationToken);
        }

        public async ValueTask<LogBounds> GetBoundsAsync(CancellationToken cancellationToken = default)
        {
            var count = Interlocked.Exchange(ref _pendingBounds, 0);
            for (var i = 0; i < count; i++)
                await inner.AppendAsync(TopicFilter.DefaultTopic, $"committed meanwhile {i}", cancellationToken);
            Fired |= count > 0;
            return await inner.GetBoundsAsync(cancellationToken);
        }

        public ValueTask<AppendOutcome> AppendAsync(LogAppend entry, CancellationToken cancellationToken = default) => inner.AppendAsync(entry, cancellationToken);

        public ValueTask<long> CountAsync(long afterSeq, TopicFilter filter, CancellationToken cancellationToken = default) => inner.CountAsync(afterSeq, filter, cancellationToken);

        public ValueTask<long?> FindFirstAtOrAfterAsync(DateTimeOffset time, CancellationToken cancellationToken = default) => inner.FindFirstAtOrAfterAsync(time, cancellationToken);

        public ValueTask<IReadOnlyList<LogEntry>> ReadNewestAsync(string? topic, int maxCount, CancellationToken cancellationToken = default) =>
            inner.ReadNewestAsync(topic, maxCount, cancellationToken);

        public ValueTask<IReadOnlyList<TopicActivity>> TopicActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
            inner.TopicActivityAsync(since, cancellationToken);

        public ValueTask WaitForAppendAsync(long afterSeq, CancellationToken cancellationToken) => inner.WaitForAppendAsync(afterSeq, cancellationToken);
    }
}
