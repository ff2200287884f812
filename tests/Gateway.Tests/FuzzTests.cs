using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using Xunit.Abstractions;

namespace Herald.Gateway.Tests;

/// <summary>
/// Thousands of generated malformed requests across every route, bounded in count and time, from a fixed seed so
/// a failure can be reproduced. No answer may be a 5xx, the process must stay healthy, and what was accepted
/// before and during the run must be intact afterwards.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261121;
    private const int HttpRequests = 5000;
    private const int RawRequests = 300;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
    private static readonly string[] Fields = ["message", "topic", "wait", "webhook_url", "url", "topics", "secret", "headers", "description", "from_id", "since"];
    private static readonly string[] QueryNames = ["limit", "since", "source", "type", "after", "timeout", "topic", "lastEventId", "repo", "hours", "include_payload", "access_token", "format"];

    [Fact]
    public async Task Thousands_of_malformed_requests_get_no_5xx_and_leave_accepted_data_intact()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = InboundSigning.Sources;
        settings["Herald:Limits:RequestsPerMinute"] = "10000000";
        settings["Herald:Inbound:Sources:ci:PermitsPerMinute"] = "1000000";
        await using var server = await HeraldServer.StartAsync(settings);
        var endpointId = await server.CreateEndpointAsync(receiver.Url("kept"));

        // The generator may well send valid requests (a DELETE, a replay) with real ids: it gets a decoy of its own,
        // so what must survive is out of its reach.
        var decoyId = await server.CreateEndpointAsync("http://127.0.0.1:9/decoy");
        var before = (await server.PushAsync("accepted before the fuzz")).GetProperty("id").GetInt64();
        using (var inbound = InboundSigning.Unsigned("ci", "{\"kept\":true}", "kept-event"))
            (await server.Client.SendAsync(inbound)).Dispose();

        var random = new Random(Seed);
        var requests = Enumerable.Range(0, HttpRequests).Select(_ => Generate(random, decoyId)).ToList();
        var serverErrors = new ConcurrentQueue<string>();
        var acceptedPushes = new ConcurrentQueue<long>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (generated, cancellationToken) =>
        {
            using var request = generated.ToMessage();
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if ((int)response.StatusCode >= 500)
                    serverErrors.Enqueue($"{generated} -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                else if (generated.Path == "/api/push" && response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted && generated.Method == "POST")
                    acceptedPushes.Enqueue(JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("id").GetInt64());
            }
            catch (TaskCanceledException)
            {
                // A long-poll or stream the generator opened; not an error of the server.
            }
        });

        var rawStatuses = await SendRawAsync(server.BaseAddress, new Random(Seed + 1));

        output.WriteLine($"{HttpRequests} HTTP + {RawRequests} raw requests; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}"))}; raw: {string.Join(", ", rawStatuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}"))}");
        Assert.Empty(serverErrors);
        Assert.DoesNotContain(rawStatuses.Keys, s => s >= 500);
        Assert.True(statuses.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value) > HttpRequests / 2, "most generated requests were rejected as bad input");

        // Healthy, and everything accepted before and during the fuzz is still there.
        using (var health = await server.Client.GetAsync("/healthz"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(receiver.Url("kept"), (await server.GetJsonAsync($"/api/endpoints/{endpointId}")).GetProperty("url").GetString());
        Assert.Contains((await server.GetJsonAsync("/api/events?source=ci&limit=1000")).GetProperty("events").EnumerateArray(), e => e.GetProperty("delivery_id").GetString() == "kept-event");
        var after = await server.PushAsync("accepted after the fuzz");
        await Eventually.TrueAsync(() => receiver.Delivered("kept").Any(r => r.Message == "accepted after the fuzz"), "the kept endpoint still gets new messages");
        Assert.Contains(receiver.Delivered("kept"), r => r.MessageId == before);

        await using var replay = await SseClient.ConnectAsync(server.BaseAddress, $"/stream?lastEventId={before - 1}&topic=*");
        await replay.NextAsync();
        var expected = acceptedPushes.Append(before).Append(after.GetProperty("id").GetInt64()).ToHashSet();
        var seen = new HashSet<long>();
        while (!seen.IsSupersetOf(expected))
        {
            var next = await replay.NextAsync();
            if (next.Id is not null)
                seen.Add(long.Parse(next.Id, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static GeneratedRequest Generate(Random random, string endpointId)
    {
        var id = Pick(random, [endpointId, "ep_nope", "..%2F..", "%00", new string('z', 3000), "é✓", "1", "-1", "ep_" + endpointId]);
        var path = Pick(random,
        [
            "/api/push", "/api/register", "/api/unregister", "/api/webhooks", "/api/endpoints", $"/api/endpoints/{id}", $"/api/endpoints/{id}/attempts",
            $"/api/endpoints/{id}/replay", $"/api/endpoints/{id}/enable", "/api/events", $"/api/events/{id}", "/api/events/sources", "/api/events/summary",
            "/api/events/github/activity", "/api/events/wait", "/api/cluster", "/api/stats/rates", "/api/stream/disconnect", "/stream", "/webhook/ci", "/webhook/github", "/webhook/stripe",
            $"/webhook/{id}", "/", "/healthz", "/readyz", "/api", "/api/" + id, "/%FF%FE",
        ]);
        var query = random.Next(3) == 0 ? string.Empty : "?" + string.Join('&', Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
            $"{Pick(random, QueryNames)}={Uri.EscapeDataString(Pick(random, ["", "0", "-5", "1", "56", "99999999999999999999", "abc", "2026-13-45T99:99", "\u0000", "✓", "inbound.*", new string('9', 500)]))}"));

        // Waits and streams would hold a connection for their full length; keep them short so the run stays bounded.
        if (path is "/api/events/wait")
            query = (query.Length == 0 ? "?" : query + "&") + "timeout=" + Pick(random, ["0", "1", "x", "-1", "56"]);
        var method = random.Next(4) == 0 ? Pick(random, Methods) : path.StartsWith("/api/events", StringComparison.Ordinal) || path is "/stream" or "/api/webhooks" or "/api/cluster" or "/api/stats/rates" ? "GET" : "POST";
        return new GeneratedRequest(method, path + query, Body(random), Pick(random, ["application/json", "text/plain", "application/json; charset=latin1", "multipart/form-data; boundary=x", "", "application/x-www-form-urlencoded"]),
            random.Next(5) == 0 ? Pick(random, ["Bearer", "Bearer ", "Basic abc", "Bearer " + new string('k', 5000), "Bearer hk_x"]) : null,
            random.Next(6) == 0 ? Pick(random, ["X-Hub-Signature-256", "Stripe-Signature", "webhook-signature", "X-GitHub-Event", "Last-Event-ID"]) : null);
    }

    private static byte[]? Body(Random random) => random.Next(12) switch
    {
        0 => null,
        1 => [],
        2 => Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(256)).ToArray(),
        3 => Encoding.UTF8.GetBytes("{\"message\":\"").Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray(),
        4 => Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)),
        5 => Encoding.UTF8.GetBytes("{\"message\":\"" + new string('m', random.Next(100_000, 400_000)) + "\"}"),
        6 => Truncate(random, RandomObject(random, 3)),
        _ => Encoding.UTF8.GetBytes(RandomObject(random, 3)),
    };

    private static byte[] Truncate(Random random, string json) => Encoding.UTF8.GetBytes(json[..random.Next(Math.Max(1, json.Length))]);

    private static string RandomObject(Random random, int depth)
    {
        var members = Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
            $"{JsonSerializer.Serialize(random.Next(3) == 0 ? "k" + random.Next(100) : Pick(random, Fields))}:{RandomValue(random, depth - 1)}");
        return "{" + string.Join(',', members) + "}";
    }

    private static string RandomValue(Random random, int depth) => random.Next(depth > 0 ? 9 : 7) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => Pick(random, ["0", "-1", "1e308", "9223372036854775808", "3.5", "-0"]),
        3 => JsonSerializer.Serialize(Pick(random, ["", " ", "http://127.0.0.1:9/x", "ftp://x", "javascript:alert(1)", "whsec_", "orders.*", "bad topic", "\u0000", "<img src=x onerror=alert(1)>", "2026-01-01T00:00:00Z"])),
        4 => JsonSerializer.Serialize(new string('s', random.Next(0, 5000))),
        5 => "[" + string.Join(',', Enumerable.Range(0, random.Next(0, 4)).Select(_ => JsonSerializer.Serialize("t" + random.Next(10)))) + "]",
        6 => "\"\\ud800\"",
        7 => RandomObject(random, depth),
        _ => "[" + RandomValue(random, depth - 1) + "]",
    };

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    /// <summary>Requests HttpClient will not send: broken framing, lying Content-Length, garbage request lines.</summary>
    private static async Task<Dictionary<int, int>> SendRawAsync(Uri server, Random random)
    {
        string[] templates =
        [
            "POST /api/push HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"message\":\"trunc",
            "POST /api/push HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
            "POST /api/register HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
            "GET /api/webhooks HTTP/1.1\r\nHost: h\r\nBad Header Line\r\n\r\n",
            "GARBAGE\r\n\r\n",
            "GET /stream?topic=%ZZ HTTP/1.1\r\nHost: h\r\n\r\n",
            "POST /webhook/ci HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}",
            "GET /api/events/%FF%FE HTTP/1.1\r\nHost: h\r\n\r\n",
        ];
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < RawRequests; i++)
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(server.Host, server.Port);
            var stream = socket.GetStream();
            var text = templates[random.Next(templates.Length)];
            await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
            socket.Client.Shutdown(SocketShutdown.Send);
            using var reader = new StreamReader(stream);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                var statusLine = await reader.ReadLineAsync(timeout.Token);
                if (statusLine?.Split(' ') is [_, var code, ..] && int.TryParse(code, out var status))
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException)
            {
                // The server closed a connection it could not parse: a rejection, not a server error.
            }
        }

        return statuses;
    }

    private sealed record GeneratedRequest(string Method, string Path, byte[]? Body, string ContentType, string? Authorization, string? ExtraHeader)
    {
        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), Path);
            if (Body is not null && Method is not ("GET" or "HEAD"))
            {
                message.Content = new ByteArrayContent(Body);
                if (ContentType.Length > 0)
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            if (Authorization is not null)
                message.Headers.TryAddWithoutValidation("Authorization", Authorization);
            if (ExtraHeader is not null)
                message.Headers.TryAddWithoutValidation(ExtraHeader, "v1,AAAA t=abc,v1=zz sha256=00 ../../etc");
            return message;
        }

        public override string ToString() => $"{Method} {(Path.Length > 120 ? Path[..120] + "…" : Path)} ({Body?.Length ?? 0} bytes)";
    }
}
