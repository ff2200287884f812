using Herald.Testing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Herald.Gateway.Tests.Infrastructure;

namespace Herald.Gateway.Tests;

public sealed class SignatureTests
{
    private static bool Verify(string secret, ReceivedRequest request) => StandardWebhooks.Verifies(secret, request);

    [Fact]
    public async Task Deliveries_carry_a_standard_webhooks_signature_that_verifies_with_the_given_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await server.CreateEndpointAsync(receiver.Url("signed"), secret: secret);

        await server.PushAsync("sign me ✓ \"quoted\"");
        await Eventually.TrueAsync(() => receiver.Delivered("signed").Count == 1, "the signed endpoint got the message");

        var request = receiver.Delivered("signed")[0];
        Assert.True(Verify(secret, request), "the signature verifies against the secret");
        var tampered = request with { Body = request.Body.Replace("sign me", "signed you", StringComparison.Ordinal) };
        Assert.False(Verify(secret, tampered), "a tampered body does not verify");
        Assert.Equal("sign me ✓ \"quoted\"", request.Message);
    }

    [Fact]
    public async Task A_generated_secret_is_returned_once_and_signs_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();

        var created = await server.PostJsonAsync("/api/endpoints", new { url = receiver.Url("generated") }, System.Net.HttpStatusCode.Created);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        var id = created.GetProperty("id").GetString();
        var fetched = await server.GetJsonAsync($"/api/endpoints/{id}");
        Assert.False(fetched.TryGetProperty("secret", out _), "the secret is never shown again");
        Assert.True(fetched.GetProperty("has_secret").GetBoolean());
        var listed = await server.GetJsonAsync("/api/endpoints");
        Assert.DoesNotContain(secret, listed.GetRawText(), StringComparison.Ordinal);

        await server.PushAsync("signed by a generated secret");
        await Eventually.TrueAsync(() => receiver.Delivered("generated").Count == 1, "the endpoint got the message");
        Assert.True(Verify(secret, receiver.Delivered("generated")[0]));
    }

    [Fact]
    public async Task Custom_headers_are_sent_with_every_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync();
        await server.PostJsonAsync("/api/endpoints",
            new { url = receiver.Url("headers"), headers = new Dictionary<string, string> { ["X-Api-Token"] = "t0ken", ["X-Tenant"] = "acme" } },
            System.Net.HttpStatusCode.Created);

        await server.PushAsync("with headers");
        await Eventually.TrueAsync(() => receiver.Delivered("headers").Count == 1, "the endpoint got the message");

        var request = receiver.Delivered("headers")[0];
        Assert.Equal("t0ken", request.Header("x-api-token"));
        Assert.Equal("acme", request.Header("x-tenant"));
    }
}
