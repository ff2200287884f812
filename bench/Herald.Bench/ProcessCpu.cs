using System.Globalization;

namespace Herald.Bench;

/// <summary>
/// CPU time and resident memory of server processes, read from <c>/proc</c>, so every server (Herald, nginx, the
/// raw writer, the bare client) is charged the same way, by the kernel, whatever it is written in.
/// </summary>
public static class ProcessCpu
{
    private static readonly Lazy<double> TicksPerSecond = new(ReadTicksPerSecond);

    public static bool Available => File.Exists("/proc/self/stat");

    /// <summary>User plus system CPU seconds the processes have used so far (exited threads included).</summary>
    public static double Seconds(IEnumerable<int> pids) => pids.Sum(pid => Ticks(pid)) / TicksPerSecond.Value;

    /// <summary>
    /// CPU seconds a process and all its children have used so far, the exited ones included (a PostgreSQL server:
    /// the postmaster, its backends and its background workers).
    /// </summary>
    public static double TreeSeconds(int parent) =>
        (TicksWithChildren(parent) + Children(parent).Sum(TicksWithChildren)) / TicksPerSecond.Value;

    /// <summary>The processes' resident set, in bytes.</summary>
    public static long ResidentBytes(IEnumerable<int> pids) => pids.Sum(ResidentBytes);

    /// <summary>The live processes whose parent is <paramref name="parent"/> (nginx's workers under its master).</summary>
    public static int[] Children(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => StatFields(pid) is { } fields && fields[1] == parent.ToString(CultureInfo.InvariantCulture))
            .ToArray();

    private static long TicksWithChildren(int pid) =>
        StatFields(pid) is { } fields ? fields[11..15].Sum(field => long.Parse(field, CultureInfo.InvariantCulture)) : 0;

    private static long Ticks(int pid) =>
        StatFields(pid) is { } fields ? long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture) : 0;

    /// <summary>The fields after the command name (which may hold spaces), so field 0 is the state, 1 the parent.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double ReadTicksPerSecond()
    {
        try
        {
            using var getconf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
            var text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or FormatException)
        {
            return 100;
        }
    }
}
