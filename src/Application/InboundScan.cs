using Herald.Contracts;
using Herald.Grains.Inbound;
using Herald.Storage;

namespace Herald.Application;

/// <summary>
/// Reads of the stored inbound events that the MCP event-patterns guide's views (pushes, deployments, Stripe actions, tracked repos)
/// are made of: newest first, a page at a time, up to a bound on how many events one answer reads.
/// </summary>
internal static class InboundScan
{
    /// <summary>How many events one answer reads at most; answers that reach it say they are truncated.</summary>
    public const int ScanLimit = 10_000;

    private const int PageSize = 500;

    /// <summary>The configured sources of this verification scheme: GitHub's pushes come from the github-scheme sources.</summary>
    public static string[] SourcesWithScheme(InboundOptions options, string scheme) =>
        options.Sources.Where(s => SignatureSchemes.Is(s.Value.Scheme, scheme)).Select(s => s.Key.ToLowerInvariant()).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Up to <paramref name="want"/> records, newest first, projected from the newest events that match
    /// <paramref name="query"/> (its limit and order are ignored); reads at most <see cref="ScanLimit"/> events.
    /// </summary>
    public static async Task<ScanResult<T>> NewestAsync<T>(
        IInboundEventStore store, InboundQuery query, Func<InboundEvent, IEnumerable<T>> project, int want, CancellationToken cancellationToken)
    {
        var found = new List<T>();
        if (query.Sources is { Count: 0 })
            return new ScanResult<T>(found, Truncated: false);
        var scanned = 0;
        long? before = null;
        while (found.Count < want)
        {
            if (scanned >= ScanLimit)
                return new ScanResult<T>(found, Truncated: true);
            var asked = Math.Min(PageSize, ScanLimit - scanned);
            var page = await store.QueryAsync(query with { Limit = asked, Newest = true, BeforeId = before }, cancellationToken);
            for (var i = page.Count - 1; i >= 0 && found.Count < want; i--)
                found.AddRange(project(page[i]).Take(want - found.Count));
            scanned += page.Count;
            if (page.Count < asked)
                break;
            before = page[0].Id;
        }

        return new ScanResult<T>(found, Truncated: false);
    }
}

/// <summary>Records read from the stored events; <see cref="Truncated"/> when the scan stopped at its bound first.</summary>
internal sealed record ScanResult<T>(List<T> Records, bool Truncated);
