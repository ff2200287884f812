using System.Globalization;

namespace Herald.Gateway.Stats;

/// <summary>
/// This process's resident memory. On Linux it is read from <c>/proc/self/statm</c> alone: the
/// <see cref="System.Diagnostics.Process"/> figure parses the process's status files and the stat file of every
/// thread it has, which made each <c>/api/diagnostics</c> call cost more than a small fan-out it was polled beside.
/// </summary>
public static class WorkingSet
{
    private const string Statm = "/proc/self/statm";

    public static long Bytes()
    {
        try
        {
            // "size resident shared text lib data dt", in pages.
            Span<byte> fields = stackalloc byte[256];
            using (var file = File.OpenHandle(Statm))
                fields = fields[..RandomAccess.Read(file, fields, 0)];
            var first = fields.IndexOf((byte)' ');
            var rest = fields[(first + 1)..];
            var second = rest.IndexOf((byte)' ');
            if (first > 0 && second > 0 && long.TryParse(rest[..second], NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
                return pages * Environment.SystemPageSize;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // Not Linux, or no /proc: the portable figure below.
        }

        return Environment.WorkingSet;
    }
}
