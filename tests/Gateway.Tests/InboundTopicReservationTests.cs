using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Gateway.Tests;

/// <summary>Listeners on <c>inbound.*</c> get verified inbound webhooks only: no push, with any key, lands there.</summary>
public sealed class InboundTopicReservationTests
{
    [Fact]
    public async Task A_push_on_an_inbound_topic_is_refused_for_every_key_and_listeners_see_only_verified_events()
    {
        var settings = TestKeys.Settings();
        foreach (var (key, value) in InboundSigning.Sources)
            settings[key] = value;
        await using var server = await HeraldServer.StartAsync(settings);
        await using var listener = await SseClient.ConnectAsync(server.BaseAddress, $"/stream?topic=inbound.*&access_token={TestKeys.ByScope["stream"]}");
        await listener.NextAsync();

        foreach (var scope in new[] { "push", "all" })
        {
            foreach (var topic in new[] { "inbound.github", "inbound.anything", "inbound." })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = JsonContent.Create(new { message = "forged", topic }) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.ByScope[scope]);
                using var response = await server.Client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{scope} key on {topic}: {(int)response.StatusCode} {text}");
                Assert.Contains("reserved for verified inbound webhooks", text, StringComparison.Ordinal);
            }
        }

        using (var genuine = InboundSigning.GitHub("push", InboundSigning.Sample("github-push.json"), "genuine-1"))
        using (var received = await server.Client.SendAsync(genuine))
            Assert.Equal(HttpStatusCode.Accepted, received.StatusCode);

        var first = (await listener.NextMessagesAsync(1))[0];
        Assert.DoesNotContain("forged", first.Data, StringComparison.Ordinal);
        Assert.Contains("github push", first.Data, StringComparison.Ordinal);
    }
}
