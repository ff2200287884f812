using System.Text;
using Herald.Grains.Delivery;

namespace Herald.Grains.Tests;

public sealed class WebhookSignatureTests
{
    // Key bytes 1..32. Expected signature computed independently with Python:
    // hmac.new(bytes(range(1, 33)), b'msg_42.1700000000.{"message":"hi"}', hashlib.sha256), base64.
    private const string Secret = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
    private const string ExpectedSignature = "v1,HydAMjBVHrXKje7m8myIgnKDgN5pdIfdN7D3Q6E5cTE=";

    private static string SecretOfLength(int bytes) =>
        WebhookSignature.SecretPrefix + Convert.ToBase64String(Enumerable.Range(0, bytes).Select(i => (byte)i).ToArray());

    [Fact]
    public void Sign_matches_an_independently_computed_vector()
    {
        var key = WebhookSignature.TryDecodeSecret(Secret);

        Assert.NotNull(key);
        var signature = WebhookSignature.Sign(key, "msg_42", 1700000000, Encoding.UTF8.GetBytes("""{"message":"hi"}"""));
        Assert.Equal(ExpectedSignature, signature);
    }

    [Fact]
    public void Decoded_secret_is_its_key_bytes()
    {
        var key = WebhookSignature.TryDecodeSecret(Secret);

        Assert.Equal(Enumerable.Range(1, 32).Select(i => (byte)i), key);
    }

    [Fact]
    public void Signature_changes_with_id_timestamp_and_body()
    {
        var key = WebhookSignature.TryDecodeSecret(Secret)!;
        var body = Encoding.UTF8.GetBytes("""{"message":"hi"}""");

        Assert.NotEqual(ExpectedSignature, WebhookSignature.Sign(key, "msg_43", 1700000000, body));
        Assert.NotEqual(ExpectedSignature, WebhookSignature.Sign(key, "msg_42", 1700000001, body));
        Assert.NotEqual(ExpectedSignature, WebhookSignature.Sign(key, "msg_42", 1700000000, Encoding.UTF8.GetBytes("""{"message":"ho"}""")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")]
    [InlineData("whsec-AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")]
    [InlineData("WHSEC_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")]
    [InlineData("whsec_")]
    [InlineData("whsec_not*base64!")]
    [InlineData("whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA")]
    public void Malformed_secrets_are_rejected(string? secret) =>
        Assert.Null(WebhookSignature.TryDecodeSecret(secret));

    [Theory]
    [InlineData(23, false)]
    [InlineData(24, true)]
    [InlineData(32, true)]
    [InlineData(64, true)]
    [InlineData(65, false)]
    [InlineData(128, false)]
    public void Secrets_must_hold_24_to_64_key_bytes(int bytes, bool accepted)
    {
        var key = WebhookSignature.TryDecodeSecret(SecretOfLength(bytes));

        Assert.Equal(accepted, key is not null);
        if (accepted)
            Assert.Equal(bytes, key!.Length);
    }

    [Fact]
    public void New_secret_round_trips_to_32_random_key_bytes()
    {
        var secret = WebhookSignature.NewSecret();
        var other = WebhookSignature.NewSecret();

        Assert.StartsWith(WebhookSignature.SecretPrefix, secret);
        Assert.Equal(32, WebhookSignature.TryDecodeSecret(secret)?.Length);
        Assert.Equal(secret, WebhookSignature.SecretPrefix + Convert.ToBase64String(WebhookSignature.TryDecodeSecret(secret)!));
        Assert.NotEqual(secret, other);
    }
}
