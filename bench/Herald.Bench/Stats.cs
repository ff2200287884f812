namespace Herald.Bench;

/// <summary>Median, min and max over repetitions, and percentiles over samples.</summary>
public static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
            return double.NaN;
        var rank = (p / 100.0) * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public static Summary Summarize(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return new Summary(Round(Percentile(sorted, 50)), Round(sorted.FirstOrDefault()), Round(sorted.LastOrDefault()), sorted.Length);
    }

    public static double Round(double value) => Math.Round(value, 3);
}

/// <summary>A figure over repetitions: the median, and its spread.</summary>
public sealed record Summary(double Median, double Min, double Max, int Runs);
