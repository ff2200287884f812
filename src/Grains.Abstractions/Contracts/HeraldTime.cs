using System.Globalization;

namespace Herald.Contracts;

/// <summary>The one timestamp format on the wire: ISO-8601 UTC with milliseconds and a Z suffix.</summary>
public static class HeraldTime
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string ToWire(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}
