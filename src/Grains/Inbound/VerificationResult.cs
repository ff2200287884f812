namespace Herald.Grains.Inbound;

/// <summary>What arrived: headers as received, the raw body exactly as sent (signatures cover bytes, not parsed JSON), and the clock to judge timestamps by.</summary>
public sealed record InboundRequest(IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body, DateTimeOffset Now);

/// <summary>The verdict on one request. <see cref="Error"/> is meant for the sender's operator, so it says what to fix.</summary>
public sealed record VerificationResult(bool Verified, string? Error, string? DeliveryId, string? Type)
{
    public static VerificationResult Fail(string error) => new(false, error, null, null);

    internal static VerificationResult Success(string? deliveryId, string? type) => new(true, null, deliveryId, type);
}
