using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Herald.Gateway.Api;

/// <summary>
/// <c>GET /</c>: the dashboard, one self-contained page embedded in the gateway so it works offline. It is served
/// with a Content-Security-Policy that admits exactly its own script and style (by hash) and connections to this
/// origin, and may not be framed: an injected script or a clickjacking frame gets nothing to run in.
/// </summary>
public static partial class DashboardApi
{
    private static readonly Lazy<(byte[] Page, string Policy)> Served = new(() =>
    {
        using var stream = typeof(DashboardApi).Assembly.GetManifestResourceStream("Herald.Dashboard.index.html")
            ?? throw new InvalidOperationException("The dashboard page is not embedded in the gateway assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var html = reader.ReadToEnd();
        return (Encoding.UTF8.GetBytes(html), Policy(html));
    });

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpResponse response) =>
        {
            var (page, policy) = Served.Value;
            response.Headers.CacheControl = "no-cache";
            response.Headers.ContentSecurityPolicy = policy;
            response.Headers.XFrameOptions = "DENY";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            return TypedResults.Bytes(page, "text/html; charset=utf-8");
        }).WithName("Dashboard");
        return routes;
    }

    /// <summary>The policy for the page: its one inline script and one inline style, each admitted by its SHA-256.</summary>
    internal static string Policy(string html) =>
        $"default-src 'none'; script-src {Hashes(Script(), html)}; style-src {Hashes(Style(), html)}; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static string Hashes(Regex blocks, string html) =>
        string.Join(' ', blocks.Matches(html).Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'"));

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Script();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex Style();
}
