using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Herald.Grains.Inbound;

namespace Herald.Grains.Tests.Inbound;

/// <summary>
/// Every signature here is made by the test itself, following each provider's published algorithm,
/// so a verifier bug cannot hide behind a signer with the same bug.
/// </summary>
public sealed class InboundVerifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly byte[] JsonBody = Encoding.UTF8.GetBytes("""{"id":"evt_123","type":"invoice.paid","amount":42}""");
    private static readonly byte[] TamperedBody = Encoding.UTF8.GetBytes("""{"id":"evt_123","type":"invoice.paid","amount":43}""");

    private const string GitHubSecret = "github-secret";
    private const string StripeSecret = "whsec_stripe_secret_value";
    private static readonly string StandardSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string OtherStandardSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    private static InboundRequest Request(byte[] body, params (string Name, string Value)[] headers) =>
        new(headers.ToDictionary(h => h.Name, h => h.Value), body, Now);

    private static byte[] Concat(string prefix, byte[] body) => [.. Encoding.UTF8.GetBytes(prefix), .. body];

    private static VerificationResult Verify(InboundSourceOptions source, InboundRequest request) => InboundVerifier.Verify(source, request);

    private static void AssertRejected(VerificationResult result, string mentioning)
    {
        Assert.False(result.Verified);
        Assert.NotNull(result.Error);
        Assert.Contains(mentioning, result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Null(result.DeliveryId);
        Assert.Null(result.Type);
    }

    // GitHub: X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>.
    private static string GitHubSign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static InboundSourceOptions GitHub(params string[] secrets) => new() { Scheme = "github", Secrets = secrets };

    private static InboundRequest GitHubRequest(byte[] body, string signature) => Request(
        body, ("X-Hub-Signature-256", signature), ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"));

    // Vercel: x-vercel-signature: <hex HMAC-SHA1(secret, body)>; the id and type are the body's.
    private const string VercelSecret = "vercel-integration-secret";

    private static InboundSourceOptions Vercel(params string[] secrets) => new() { Scheme = "vercel", Secrets = secrets };

#pragma warning disable CA5350 // Vercel signs with HMAC-SHA1 only, so the verifier must accept it.
    private static string VercelSign(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), body));
#pragma warning restore CA5350

    [Fact]
    public void Vercel_request_signed_with_the_secret_is_accepted_with_the_bodys_id_and_type()
    {
        var result = Verify(Vercel("old-secret", VercelSecret), Request(JsonBody, ("x-vercel-signature", VercelSign(VercelSecret, JsonBody))));

        Assert.True(result.Verified, result.Error);
        Assert.Equal("evt_123", result.DeliveryId);
        Assert.Equal("invoice.paid", result.Type);
    }

    [Fact]
    public void Vercel_signature_is_case_insensitive_hex()
    {
        var result = Verify(Vercel(VercelSecret), Request(JsonBody, ("X-Vercel-Signature", VercelSign(VercelSecret, JsonBody).ToUpperInvariant())));

        Assert.True(result.Verified, result.Error);
    }

    [Fact]
    public void Vercel_tampered_body_wrong_secret_missing_or_malformed_header_are_rejected()
    {
        AssertRejected(Verify(Vercel(VercelSecret), Request(TamperedBody, ("x-vercel-signature", VercelSign(VercelSecret, JsonBody)))), "x-vercel-signature");
        AssertRejected(Verify(Vercel(VercelSecret), Request(JsonBody, ("x-vercel-signature", VercelSign("other", JsonBody)))), "x-vercel-signature");
        AssertRejected(Verify(Vercel(VercelSecret), Request(JsonBody)), "x-vercel-signature header is missing");
        AssertRejected(Verify(Vercel(VercelSecret), Request(JsonBody, ("x-vercel-signature", "sha1=abc"))), "40 hex characters");
        // An HMAC-SHA256 is the wrong length for Vercel's SHA-1.
        AssertRejected(Verify(Vercel(VercelSecret), Request(JsonBody, ("x-vercel-signature", GitHubSign(VercelSecret, JsonBody)["sha256=".Length..]))), "40 hex characters");
    }

    [Fact]
    public void GitHub_request_signed_with_the_secret_is_accepted_with_event_and_delivery()
    {
        var result = Verify(GitHub(GitHubSecret), GitHubRequest(JsonBody, GitHubSign(GitHubSecret, JsonBody)));

        Assert.True(result.Verified, result.Error);
        Assert.Null(result.Error);
        Assert.Equal("push", result.Type);
        Assert.Equal("72d3162e-cc78-11e3-81ab-4c9367dc0958", result.DeliveryId);
    }

    [Fact]
    public void GitHub_documented_test_vector_is_accepted()
    {
        // From GitHub's "Validating webhook deliveries" docs.
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        var signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        Assert.True(Verify(GitHub("It's a Secret to Everybody"), GitHubRequest(body, signature)).Verified);
    }

    [Fact]
    public void GitHub_tampered_body_is_rejected() =>
        AssertRejected(Verify(GitHub(GitHubSecret), GitHubRequest(TamperedBody, GitHubSign(GitHubSecret, JsonBody))), "does not match");

    [Fact]
    public void GitHub_signature_made_with_another_secret_is_rejected() =>
        AssertRejected(Verify(GitHub(GitHubSecret), GitHubRequest(JsonBody, GitHubSign("not-the-secret", JsonBody))), "does not match");

    [Fact]
    public void GitHub_request_without_signature_header_is_rejected_naming_the_header()
    {
        var result = Verify(GitHub(GitHubSecret), Request(JsonBody, ("X-GitHub-Event", "push")));

        AssertRejected(result, "X-Hub-Signature-256");
        Assert.Contains("missing", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void GitHub_request_signed_with_the_second_secret_during_rotation_is_accepted()
    {
        var result = Verify(GitHub("old-secret", "new-secret"), GitHubRequest(JsonBody, GitHubSign("new-secret", JsonBody)));

        Assert.True(result.Verified, result.Error);
    }

    [Fact]
    public void GitHub_uppercase_hex_signature_is_accepted()
    {
        var signature = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitHubSecret), JsonBody));

        Assert.True(Verify(GitHub(GitHubSecret), GitHubRequest(JsonBody, signature)).Verified);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d")]
    [InlineData("sha256=")]
    [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1700")]
    public void GitHub_malformed_signature_header_is_rejected_naming_the_header(string signature) =>
        AssertRejected(Verify(GitHub(GitHubSecret), GitHubRequest(JsonBody, signature)), "X-Hub-Signature-256");

    [Fact]
    public void Header_names_are_matched_case_insensitively()
    {
        // An ordinal dictionary, as a caller might build from raw HTTP headers.
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["x-hub-signature-256"] = GitHubSign(GitHubSecret, JsonBody),
            ["x-github-event"] = "issues",
            ["x-github-delivery"] = "d-1",
        };

        var result = Verify(GitHub(GitHubSecret), new InboundRequest(headers, JsonBody, Now));

        Assert.True(result.Verified, result.Error);
        Assert.Equal("issues", result.Type);
        Assert.Equal("d-1", result.DeliveryId);
    }

    // Stripe: Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret text, "t." + body)>.
    private static string StripeV1(string secret, long timestamp, byte[] body) => Convert.ToHexStringLower(
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Concat($"{timestamp}.", body)));

    private static string StripeSign(string secret, long timestamp, byte[] body) => $"t={timestamp},v1={StripeV1(secret, timestamp, body)}";

    private static InboundSourceOptions Stripe(params string[] secrets) => new() { Scheme = "stripe", Secrets = secrets };

    private static InboundRequest StripeRequest(byte[] body, string header) => Request(body, ("Stripe-Signature", header));

    [Fact]
    public void Stripe_request_signed_with_the_secret_is_accepted_with_event_id_and_type()
    {
        var result = Verify(Stripe(StripeSecret), StripeRequest(JsonBody, StripeSign(StripeSecret, Now.ToUnixTimeSeconds(), JsonBody)));

        Assert.True(result.Verified, result.Error);
        Assert.Equal("evt_123", result.DeliveryId);
        Assert.Equal("invoice.paid", result.Type);
    }

    [Fact]
    public void Stripe_vector_computed_with_python_is_accepted()
    {
        // hmac.new(b"whsec_test_secret", b'1700000000.{"id":"evt_1","type":"invoice.paid"}', hashlib.sha256).hexdigest()
        var body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"invoice.paid"}""");
        var header = "t=1700000000,v1=46dc069361a7691082640523fa33fe5d6c8c88d5f5e257cdf8cf11539d166595";

        var result = Verify(Stripe("whsec_test_secret"), StripeRequest(body, header));

        Assert.True(result.Verified, result.Error);
        Assert.Equal("evt_1", result.DeliveryId);
    }

    [Fact]
    public void Stripe_tampered_body_is_rejected() =>
        AssertRejected(
            Verify(Stripe(StripeSecret), StripeRequest(TamperedBody, StripeSign(StripeSecret, Now.ToUnixTimeSeconds(), JsonBody))), "does not match");

    [Fact]
    public void Stripe_signature_made_with_another_secret_is_rejected() =>
        AssertRejected(
            Verify(Stripe(StripeSecret), StripeRequest(JsonBody, StripeSign("whsec_other", Now.ToUnixTimeSeconds(), JsonBody))), "does not match");

    [Fact]
    public void Stripe_timestamp_changed_after_signing_is_rejected()
    {
        var t = Now.ToUnixTimeSeconds();
        var header = $"t={t - 1},v1={StripeV1(StripeSecret, t, JsonBody)}";

        AssertRejected(Verify(Stripe(StripeSecret), StripeRequest(JsonBody, header)), "does not match");
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86_400)]
    public void Stripe_timestamp_outside_the_tolerance_is_rejected(int offsetSeconds)
    {
        var t = Now.ToUnixTimeSeconds() + offsetSeconds;

        var result = Verify(Stripe(StripeSecret), StripeRequest(JsonBody, StripeSign(StripeSecret, t, JsonBody)));

        AssertRejected(result, $"timestamp {t} is");
        Assert.Contains("300 s tolerance", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Stripe_timestamp_at_the_edge_of_the_tolerance_is_accepted(int offsetSeconds)
    {
        var t = Now.ToUnixTimeSeconds() + offsetSeconds;

        Assert.True(Verify(Stripe(StripeSecret), StripeRequest(JsonBody, StripeSign(StripeSecret, t, JsonBody))).Verified);
    }

    [Fact]
    public void Stripe_tolerance_comes_from_the_source_options()
    {
        var t = Now.ToUnixTimeSeconds() - 600;
        var source = new InboundSourceOptions { Scheme = "stripe", Secrets = [StripeSecret], Tolerance = TimeSpan.FromMinutes(15) };

        Assert.True(Verify(source, StripeRequest(JsonBody, StripeSign(StripeSecret, t, JsonBody))).Verified);
    }

    [Fact]
    public void Stripe_request_without_signature_header_is_rejected_naming_the_header() =>
        AssertRejected(Verify(Stripe(StripeSecret), Request(JsonBody)), "Stripe-Signature header is missing");

    [Fact]
    public void Stripe_request_signed_with_the_second_secret_during_rotation_is_accepted()
    {
        var result = Verify(Stripe("whsec_old", "whsec_new"), StripeRequest(JsonBody, StripeSign("whsec_new", Now.ToUnixTimeSeconds(), JsonBody)));

        Assert.True(result.Verified, result.Error);
    }

    [Fact]
    public void Stripe_header_with_several_v1_signatures_is_accepted_when_any_matches_and_v0_is_ignored()
    {
        var t = Now.ToUnixTimeSeconds();
        var header = $"t={t}, v1={StripeV1("whsec_rolled", t, JsonBody)}, v1={StripeV1(StripeSecret, t, JsonBody)}, v0=not-hex-and-ignored";

        Assert.True(Verify(Stripe(StripeSecret), StripeRequest(JsonBody, header)).Verified);
    }

    [Theory]
    [InlineData("v1=46dc069361a7691082640523fa33fe5d6c8c88d5f5e257cdf8cf11539d166595", "no t=")]
    [InlineData("t=1700000000", "no v1=")]
    [InlineData("t=1700000000,v0=46dc069361a7691082640523fa33fe5d6c8c88d5f5e257cdf8cf11539d166595", "no v1=")]
    [InlineData("t=soon,v1=46dc069361a7691082640523fa33fe5d6c8c88d5f5e257cdf8cf11539d166595", "t=")]
    [InlineData("t=-5,v1=46dc069361a7691082640523fa33fe5d6c8c88d5f5e257cdf8cf11539d166595", "t=")]
    [InlineData("t=99999999999999999999999,v1=46dc069361a7691082640523fa33fe5d6c8c88d5f5e257cdf8cf11539d166595", "t=")]
    [InlineData("t=1700000000,v1=xyz", "v1=")]
    [InlineData("t=1700000000,v1=46dc069361a7691082640523fa33fe5d6c8c88d5f5e257cdf8cf11539d1665", "v1=")]
    [InlineData("t=1700000000,garbage", "key=value")]
    [InlineData("=,=", "key=value")]
    public void Stripe_malformed_signature_header_is_rejected_saying_what_is_wrong(string header, string mentioning)
    {
        var result = Verify(Stripe(StripeSecret), StripeRequest(JsonBody, header));

        AssertRejected(result, "Stripe-Signature");
        Assert.Contains(mentioning, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"id":7,"type":null}""")]
    [InlineData("{")]
    public void Stripe_signed_body_without_a_json_id_is_still_verified_without_id_or_type(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);

        var result = Verify(Stripe(StripeSecret), StripeRequest(body, StripeSign(StripeSecret, Now.ToUnixTimeSeconds(), body)));

        Assert.True(result.Verified, result.Error);
        Assert.Null(result.DeliveryId);
        Assert.Null(result.Type);
    }

    // Standard Webhooks: webhook-signature: v1,<base64 HMAC-SHA256(base64-decoded secret, "id.timestamp.body")>.
    private static string StandardV1(string secret, string id, long timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Concat($"{id}.{timestamp}.", body)));
    }

    private static InboundSourceOptions Standard(params string[] secrets) => new() { Scheme = "standard", Secrets = secrets };

    private static InboundRequest StandardRequest(byte[] body, string id, long timestamp, string signature) => Request(
        body, ("webhook-id", id), ("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)), ("webhook-signature", signature));

    private static InboundRequest SignedStandardRequest(string secret, byte[] body, long? timestamp = null)
    {
        var t = timestamp ?? Now.ToUnixTimeSeconds();
        return StandardRequest(body, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", t, StandardV1(secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", t, body));
    }

    [Fact]
    public void Standard_request_signed_with_the_secret_is_accepted_with_message_id_and_type()
    {
        var result = Verify(Standard(StandardSecret), SignedStandardRequest(StandardSecret, JsonBody));

        Assert.True(result.Verified, result.Error);
        Assert.Equal("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", result.DeliveryId);
        Assert.Equal("invoice.paid", result.Type);
    }

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    public void Standard_reference_library_test_vector_is_accepted_with_or_without_the_whsec_prefix(string secret)
    {
        // The vector from the Standard Webhooks / Svix library test suites; re-checked with Python's hmac module.
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
        var request = StandardRequest(body, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
            with { Now = DateTimeOffset.FromUnixTimeSeconds(1614265330) };

        var result = Verify(Standard(secret), request);

        Assert.True(result.Verified, result.Error);
        Assert.Equal("msg_p5jXN8AQM9LWM0D4loKWxJek", result.DeliveryId);
        Assert.Null(result.Type);
    }

    [Fact]
    public void Standard_vector_shared_with_herald_outbound_signing_is_accepted()
    {
        // Herald signs its own outbound webhooks the same way; Python-computed, see WebhookSignatureTests.
        var request = StandardRequest(
            Encoding.UTF8.GetBytes("""{"message":"hi"}"""), "msg_42", 1700000000, "v1,HydAMjBVHrXKje7m8myIgnKDgN5pdIfdN7D3Q6E5cTE=");

        Assert.True(Verify(Standard("whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="), request).Verified);
    }

    [Fact]
    public void Standard_tampered_body_is_rejected()
    {
        var signed = SignedStandardRequest(StandardSecret, JsonBody);

        AssertRejected(Verify(Standard(StandardSecret), signed with { Body = TamperedBody }), "does not match");
    }

    [Fact]
    public void Standard_message_id_changed_after_signing_is_rejected()
    {
        var t = Now.ToUnixTimeSeconds();
        var request = StandardRequest(JsonBody, "msg_other", t, StandardV1(StandardSecret, "msg_original", t, JsonBody));

        AssertRejected(Verify(Standard(StandardSecret), request), "does not match");
    }

    [Fact]
    public void Standard_signature_made_with_another_secret_is_rejected() =>
        AssertRejected(Verify(Standard(StandardSecret), SignedStandardRequest(OtherStandardSecret, JsonBody)), "does not match");

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Standard_timestamp_outside_the_tolerance_is_rejected(int offsetSeconds)
    {
        var t = Now.ToUnixTimeSeconds() + offsetSeconds;

        var result = Verify(Standard(StandardSecret), SignedStandardRequest(StandardSecret, JsonBody, t));

        AssertRejected(result, $"webhook-timestamp timestamp {t} is 301 s");
        Assert.Contains("300 s tolerance", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public void Standard_request_missing_a_header_is_rejected_naming_it(string header)
    {
        var signed = SignedStandardRequest(StandardSecret, JsonBody);
        var headers = signed.Headers.Where(h => h.Key != header).ToDictionary();

        AssertRejected(Verify(Standard(StandardSecret), signed with { Headers = headers }), $"{header} header is missing");
    }

    [Fact]
    public void Standard_request_signed_with_the_second_secret_during_rotation_is_accepted()
    {
        var result = Verify(Standard(OtherStandardSecret, StandardSecret), SignedStandardRequest(StandardSecret, JsonBody));

        Assert.True(result.Verified, result.Error);
    }

    [Fact]
    public void Standard_signature_list_is_accepted_when_any_v1_matches_and_other_versions_are_ignored()
    {
        var t = Now.ToUnixTimeSeconds();
        var good = StandardV1(StandardSecret, "msg_1", t, JsonBody);
        var stale = StandardV1(OtherStandardSecret, "msg_1", t, JsonBody);
        var request = StandardRequest(JsonBody, "msg_1", t, $"v1a,bm90LWFuLWVkMjU1MTktc2lnbmF0dXJl {stale}  {good}");

        Assert.True(Verify(Standard(StandardSecret), request).Verified);
    }

    [Theory]
    [InlineData("v1a,bm90LWFuLWVkMjU1MTktc2lnbmF0dXJl", "no v1")]
    [InlineData("v1,not*base64!", "base64")]
    [InlineData("v1,AAAA", "base64")]
    [InlineData("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "v1,<base64>")]
    public void Standard_malformed_signature_header_is_rejected_saying_what_is_wrong(string signature, string mentioning)
    {
        var result = Verify(Standard(StandardSecret), StandardRequest(JsonBody, "msg_1", Now.ToUnixTimeSeconds(), signature));

        AssertRejected(result, "webhook-signature");
        Assert.Contains(mentioning, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("1700000000.5")]
    [InlineData("-1700000000")]
    public void Standard_non_numeric_timestamp_is_rejected_naming_the_header(string timestamp)
    {
        var signed = SignedStandardRequest(StandardSecret, JsonBody);
        var headers = signed.Headers.ToDictionary();
        headers["webhook-timestamp"] = timestamp;

        AssertRejected(Verify(Standard(StandardSecret), signed with { Headers = headers }), "webhook-timestamp header");
    }

    // Generic HMAC: a configured header, optional prefix, HMAC of the raw body with the secret's UTF-8 bytes.
    private static byte[] Hmac(string algorithm, string secret, byte[] body)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        return algorithm switch
        {
#pragma warning disable CA5350 // Some senders only offer HMAC-SHA1, so the verifier must accept it.
            "sha1" => HMACSHA1.HashData(key, body),
#pragma warning restore CA5350
            "sha256" => HMACSHA256.HashData(key, body),
            "sha512" => HMACSHA512.HashData(key, body),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
    }

    private static string HmacSign(string algorithm, string encoding, string secret, byte[] body) =>
        encoding == "hex" ? Convert.ToHexStringLower(Hmac(algorithm, secret, body)) : Convert.ToBase64String(Hmac(algorithm, secret, body));

    private static InboundSourceOptions HmacSource(string algorithm = "sha256", string encoding = "hex", string? prefix = null, params string[] secrets) => new()
    {
        Scheme = "hmac",
        Secrets = secrets.Length == 0 ? ["hmac-secret"] : secrets,
        Header = "X-Signature",
        Algorithm = algorithm,
        Encoding = encoding,
        Prefix = prefix,
        IdHeader = "X-Delivery-Id",
        TypeHeader = "X-Event-Type",
    };

    private static InboundRequest HmacRequest(byte[] body, string signature) =>
        Request(body, ("X-Signature", signature), ("X-Delivery-Id", "del-9"), ("X-Event-Type", "order.created"));

    [Theory]
    [InlineData("sha1", "hex")]
    [InlineData("sha1", "base64")]
    [InlineData("sha256", "hex")]
    [InlineData("sha256", "base64")]
    [InlineData("sha512", "hex")]
    [InlineData("SHA512", "BASE64")]
    public void Hmac_request_signed_with_the_configured_algorithm_and_encoding_is_accepted_with_id_and_type(string algorithm, string encoding)
    {
        var signature = HmacSign(algorithm.ToLowerInvariant(), encoding.ToLowerInvariant(), "hmac-secret", JsonBody);

        var result = Verify(HmacSource(algorithm, encoding), HmacRequest(JsonBody, signature));

        Assert.True(result.Verified, result.Error);
        Assert.Equal("del-9", result.DeliveryId);
        Assert.Equal("order.created", result.Type);
    }

    [Theory]
    [InlineData("sha1", "base64", "ryVQXX6ZzodHBm920XVizQB5NCs=")]
    [InlineData(
        "sha512", "hex",
        "4b0599037d760c8e527a9c3c99906d1808b30fa88a3537e31a1a9661710698810e92dd9dc329cc6f04dd88546fe46d3827f4b25787aa821b06541c8954b24565")]
    public void Hmac_vectors_computed_with_python_are_accepted(string algorithm, string encoding, string signature)
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"ping"}""");

        Assert.True(Verify(HmacSource(algorithm, encoding, secrets: "shhh"), HmacRequest(body, signature)).Verified);
    }

    [Fact]
    public void Hmac_prefix_is_stripped_before_comparing()
    {
        var signature = "sha256=" + HmacSign("sha256", "hex", "hmac-secret", JsonBody);

        Assert.True(Verify(HmacSource(prefix: "sha256="), HmacRequest(JsonBody, signature)).Verified);
    }

    [Fact]
    public void Hmac_signature_without_the_configured_prefix_is_rejected_naming_the_header() =>
        AssertRejected(
            Verify(HmacSource(prefix: "sha256="), HmacRequest(JsonBody, HmacSign("sha256", "hex", "hmac-secret", JsonBody))),
            "X-Signature header must start with 'sha256='");

    [Fact]
    public void Hmac_hex_signature_is_compared_case_insensitively() =>
        Assert.True(Verify(HmacSource(), HmacRequest(JsonBody, HmacSign("sha256", "hex", "hmac-secret", JsonBody).ToUpperInvariant())).Verified);

    [Fact]
    public void Hmac_tampered_body_is_rejected() =>
        AssertRejected(Verify(HmacSource(), HmacRequest(TamperedBody, HmacSign("sha256", "hex", "hmac-secret", JsonBody))), "does not match");

    [Fact]
    public void Hmac_signature_made_with_another_secret_is_rejected() =>
        AssertRejected(Verify(HmacSource(), HmacRequest(JsonBody, HmacSign("sha256", "hex", "wrong", JsonBody))), "does not match");

    [Fact]
    public void Hmac_signature_made_with_another_algorithm_is_rejected() =>
        AssertRejected(Verify(HmacSource("sha512"), HmacRequest(JsonBody, HmacSign("sha256", "hex", "hmac-secret", JsonBody))), "X-Signature");

    [Fact]
    public void Hmac_request_without_signature_header_is_rejected_naming_the_header() =>
        AssertRejected(Verify(HmacSource(), Request(JsonBody, ("X-Delivery-Id", "del-9"))), "X-Signature header is missing");

    [Fact]
    public void Hmac_request_signed_with_the_second_secret_during_rotation_is_accepted() =>
        Assert.True(Verify(HmacSource(secrets: ["first", "second"]), HmacRequest(JsonBody, HmacSign("sha256", "hex", "second", JsonBody))).Verified);

    [Theory]
    [InlineData("hex", "not-hex-at-all")]
    [InlineData("hex", "abcd")]
    [InlineData("base64", "not*base64!")]
    [InlineData("base64", "AAAA")]
    public void Hmac_badly_encoded_signature_is_rejected_naming_the_header(string encoding, string signature) =>
        AssertRejected(Verify(HmacSource(encoding: encoding), HmacRequest(JsonBody, signature)), "X-Signature header must carry");

    [Fact]
    public void Hmac_without_id_and_type_headers_configured_extracts_neither()
    {
        var source = HmacSource();
        source.IdHeader = null;
        source.TypeHeader = null;

        var result = Verify(source, HmacRequest(JsonBody, HmacSign("sha256", "hex", "hmac-secret", JsonBody)));

        Assert.True(result.Verified, result.Error);
        Assert.Null(result.DeliveryId);
        Assert.Null(result.Type);
    }

    // None: no signature at all.
    [Fact]
    public void None_accepts_anything_and_reads_id_and_type_from_the_configured_headers()
    {
        var source = new InboundSourceOptions { Scheme = "none", IdHeader = "X-Request-Id", TypeHeader = "X-Kind" };

        var result = Verify(source, Request(Encoding.UTF8.GetBytes("plain text"), ("x-request-id", "r-1"), ("X-KIND", "ping")));

        Assert.True(result.Verified, result.Error);
        Assert.Equal("r-1", result.DeliveryId);
        Assert.Equal("ping", result.Type);
    }

    [Fact]
    public void None_without_configured_headers_or_with_absent_headers_extracts_nothing()
    {
        var bare = Verify(new InboundSourceOptions(), Request(JsonBody, ("X-Request-Id", "r-1")));
        var absent = Verify(new InboundSourceOptions { IdHeader = "X-Request-Id", TypeHeader = "X-Kind" }, Request(JsonBody));

        Assert.Equal(new VerificationResult(true, null, null, null), bare);
        Assert.Equal(new VerificationResult(true, null, null, null), absent);
    }

    // Configuration mistakes that slipped past validation still fail closed rather than throw.
    [Theory]
    [InlineData("github")]
    [InlineData("stripe")]
    [InlineData("standard")]
    [InlineData("hmac")]
    public void Signing_scheme_without_secrets_rejects_every_request(string scheme) =>
        AssertRejected(Verify(new InboundSourceOptions { Scheme = scheme, Header = "X-Signature" }, Request(JsonBody)), "no secrets");

    [Fact]
    public void Unknown_scheme_rejects_every_request() =>
        AssertRejected(Verify(new InboundSourceOptions { Scheme = "md5" }, Request(JsonBody)), "scheme 'md5'");

    [Fact]
    public void Scheme_name_is_case_insensitive() => Assert.True(Verify(
        new InboundSourceOptions { Scheme = "GitHub", Secrets = [GitHubSecret] }, GitHubRequest(JsonBody, GitHubSign(GitHubSecret, JsonBody))).Verified);

    [Fact]
    public void Standard_source_whose_secrets_are_not_base64_rejects_instead_of_throwing() =>
        AssertRejected(Verify(Standard("whsec_***"), SignedStandardRequest(StandardSecret, JsonBody)), "Standard Webhooks secret");

    public static TheoryData<string, string> GarbageHeaders() => new()
    {
        { "github", "sha256=\u00e9\u00e9\u00e9" },
        { "stripe", "t=,v1=,,,==,t=1e9" },
        { "stripe", new string(',', 10_000) },
        { "standard", "v1, v1,, ,v1 \u0000" },
        { "hmac", "\u00ff\u00fe" },
    };

    [Theory]
    [MemberData(nameof(GarbageHeaders))]
    public void Garbage_in_every_header_is_rejected_without_throwing(string scheme, string value)
    {
        var source = new InboundSourceOptions { Scheme = scheme, Secrets = [StandardSecret], Header = "X-Signature" };
        var headers = new[] { "X-Hub-Signature-256", "Stripe-Signature", "webhook-id", "webhook-timestamp", "webhook-signature", "X-Signature" }
            .ToDictionary(name => name, _ => value);

        var result = Verify(source, new InboundRequest(headers, Encoding.UTF8.GetBytes(value), Now));

        Assert.False(result.Verified);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }
}
