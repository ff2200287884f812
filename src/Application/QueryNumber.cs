using System.Globalization;

namespace Herald.Application;

/// <summary>Whole-number query parameters: absent gives the default, anything but digits in range gives null (a 400).</summary>
public static class QueryNumber
{
    /// <summary>A window in hours, the one the event views share: a day by default, at most a year.</summary>
    public const int MaxHours = 24 * 365;

    public static int? Parse(string? text, int fallback, int min, int max) =>
        text is null ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
        : null;

    public static int? Hours(string? text) => Parse(text, 24, 1, MaxHours);
}
