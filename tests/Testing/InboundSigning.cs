using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Herald.Testing;

/// <summary>Signs test requests the way GitHub, Stripe, Vercel and Standard Webhooks senders do, independently of Herald.</summary>
public static class InboundSigning
{
    public const string GitHubSecret = "gh-secret-one";
    public const string GitHubRotatedSecret = "gh-secret-two";
    public const string StripeSecret = "whsec_stripe_test_secret";
    public const string VercelSecret = "vercel-test-secret";
    public static readonly string StandardSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static Dictionary<string, string?> Sources => new()
    {
        ["Herald:Inbound:Sources:github:Scheme"] = "github",
        ["Herald:Inbound:Sources:github:Secrets:0"] = GitHubSecret,
        ["Herald:Inbound:Sources:github:Secrets:1"] = GitHubRotatedSecret,
        ["Herald:Inbound:Sources:stripe:Scheme"] = "stripe",
        ["Herald:Inbound:Sources:stripe:Secrets:0"] = StripeSecret,
        ["Herald:Inbound:Sources:vercel:Scheme"] = "vercel",
        ["Herald:Inbound:Sources:vercel:Secrets:0"] = VercelSecret,
        ["Herald:Inbound:Sources:app:Scheme"] = "standard",
        ["Herald:Inbound:Sources:app:Secrets:0"] = StandardSecret,
        ["Herald:Inbound:Sources:ci:Scheme"] = "none",
        ["Herald:Inbound:Sources:ci:IdHeader"] = "X-Delivery",
        ["Herald:Inbound:Sources:ci:TypeHeader"] = "X-Event",
    };

    public static HttpRequestMessage GitHub(string eventType, string body, string delivery, string secret = GitHubSecret)
    {
        var request = Post("/webhook/github", body);
        request.Headers.Add("X-GitHub-Event", eventType);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
        return request;
    }

    public static HttpRequestMessage Stripe(string body, DateTimeOffset at, string secret = StripeSecret)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = Post("/webhook/stripe", body);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")));
        request.Headers.TryAddWithoutValidation("Stripe-Signature", $"t={t},v1={signature}");
        return request;
    }

    public static HttpRequestMessage Vercel(string body, string secret = VercelSecret)
    {
        var request = Post("/webhook/vercel", body);
#pragma warning disable CA5350 // Vercel signs with HMAC-SHA1 only.
        request.Headers.Add("x-vercel-signature", Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
#pragma warning restore CA5350
        return request;
    }

    public static HttpRequestMessage Standard(string body, string id, DateTimeOffset at, string secret)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var request = Post("/webhook/app", body);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", t);
        request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{t}.{body}"))));
        return request;
    }

    public static HttpRequestMessage Unsigned(string source, string body, string? delivery = null, string? type = null)
    {
        var request = Post($"/webhook/{source}", body);
        if (delivery is not null)
            request.Headers.Add("X-Delivery", delivery);
        if (type is not null)
            request.Headers.Add("X-Event", type);
        return request;
    }

    public static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    private static HttpRequestMessage Post(string path, string body) =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
