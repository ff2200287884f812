using System.Security.Cryptography;
using System.Text;

namespace Herald.Testing;

/// <summary>The Standard Webhooks verification a receiver runs, written out here independently of Herald's signer.</summary>
public static class StandardWebhooks
{
    public static bool Verifies(string secret, ReceivedRequest request)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = $"{request.Header("webhook-id")}.{request.Header("webhook-timestamp")}.{request.Body}";
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed)));
        return request.Header("webhook-signature").Split(' ').Contains(expected);
    }
}
