using System.Net;

namespace Herald.Infrastructure.Hosting;

/// <summary>
/// Where an ASP.NET Core process is configured to listen (<c>urls</c>, <c>ASPNETCORE_URLS</c>, <c>http_ports</c>,
/// <c>Kestrel:Endpoints</c>), judged before it binds: a process that would be reachable from other machines without a
/// credential refuses to start instead of listening first.
/// </summary>
public static class ListenAddresses
{
    /// <summary>The configured listen URLs (or <paramref name="defaultUrl"/> when none is) that reach beyond this machine's loopback.</summary>
    public static IReadOnlyList<string> BeyondLoopback(IConfiguration configuration, string defaultUrl)
    {
        var urls = new List<string>();
        urls.AddRange(Split(configuration["urls"]));
        urls.AddRange(Split(configuration["http_ports"]).Concat(Split(configuration["https_ports"])).Select(port => $"http://*:{port}"));
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        if (urls.Count == 0)
            urls.Add(defaultUrl);
        return urls.Where(url => !IsLoopback(url)).ToArray();
    }

    private static IEnumerable<string> Split(string? value) =>
        (value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // Kestrel binds "localhost" to both loopback addresses; any other name, "*", "+" and the unspecified addresses
    // bind every interface.
    private static bool IsLoopback(string url)
    {
        var host = url.Split("://", 2) is [_, var rest] ? rest : url;
        host = host.Split('/', 2)[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
