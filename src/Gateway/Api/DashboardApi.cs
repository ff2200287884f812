namespace Herald.Gateway.Api;

/// <summary><c>GET /</c>: the dashboard, one self-contained page embedded in the gateway so it works offline.</summary>
public static class DashboardApi
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(DashboardApi).Assembly.GetManifestResourceStream("Herald.Dashboard.index.html")
            ?? throw new InvalidOperationException("The dashboard page is not embedded in the gateway assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpResponse response) =>
        {
            response.Headers.CacheControl = "no-cache";
            return TypedResults.Bytes(Page.Value, "text/html; charset=utf-8");
        }).WithName("Dashboard");
        return routes;
    }
}
