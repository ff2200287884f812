using System.Globalization;

namespace Herald.Bench.Chaos;

/// <summary>The whole machine's CPU time from /proc/stat: what every process of the run, and PostgreSQL, used together.</summary>
internal readonly record struct MachineCpu(long Busy, long Total)
{
    public static MachineCpu Read()
    {
        if (!File.Exists("/proc/stat"))
            return default;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var total = fields.Sum();
        return new MachineCpu(total - idle, total);
    }

    /// <summary>The busy share of the machine since <paramref name="before"/>, 0 to 1.</summary>
    public double BusySince(MachineCpu before) => Total == before.Total ? 0 : (Busy - before.Busy) / (double)(Total - before.Total);
}
