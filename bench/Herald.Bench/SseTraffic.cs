using System.Globalization;

namespace Herald.Bench;

/// <summary>
/// What every SSE server in the comparison carries: a data line that ends in <c>#token</c>, about as long as
/// Herald's seed frame. Listeners find the token in the data, since each server numbers its events its own way.
/// </summary>
public static class SseTraffic
{
    private const string Stamp = "[2026-01-01T00:00:00.000Z]";

    /// <summary>The message pushed to Herald; it frames it as <c>id: seq</c> and <c>data: [timestamp] #token</c>.</summary>
    public static string Message(long token) => string.Create(CultureInfo.InvariantCulture, $"#{token}");

    /// <summary>The body published to Nchan, which frames it as <c>id: …</c> and <c>data: [timestamp] #token</c>.</summary>
    public static string Data(long token) => string.Create(CultureInfo.InvariantCulture, $"{Stamp} #{token}");

    /// <summary>The raw writer's whole frame, shaped like Herald's.</summary>
    public static string RawFrame(long token) => string.Create(CultureInfo.InvariantCulture, $"id: {token}\ndata: {Stamp} #{token}\n\n");
}
