using System.Text.Json;
using Herald.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace Herald.McpBridge.Security;

/// <summary>
/// Every HTTP request to the bridge, before the MCP endpoint sees it: a <c>Host</c> or <c>Origin</c> the bridge does
/// not serve is refused with 403 (a web page that rebinds its own name to 127.0.0.1 sends its own name in both), and,
/// once keys are configured, a request without one of them with 401. Refusals are JSON-RPC errors, which MCP clients
/// show as they are.
/// </summary>
public sealed partial class McpRequestGuard(RequestDelegate next, IOptionsMonitor<McpAccessOptions> options, ILogger<McpRequestGuard> logger)
{
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    public Task InvokeAsync(HttpContext context)
    {
        var access = options.CurrentValue;
        var request = context.Request;
        if (!HostAllowed(request.Host, access))
            return RefuseAsync(context, StatusCodes.Status403Forbidden, $"Host '{request.Host}' is not one this bridge serves; allow it in Herald:Mcp:AllowedHosts.");
        if (request.Headers.Origin is [{ } origin] && !OriginAllowed(origin, access))
            return RefuseAsync(context, StatusCodes.Status403Forbidden, $"Origin '{origin}' may not use this bridge; allow it in Herald:Mcp:AllowedOrigins.");
        if (request.Headers.Origin.Count > 1)
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "A request may carry one Origin header.");

        if (access.RequiresKey)
        {
            var token = ApiKeyAuthenticator.BearerToken(request);
            var hash = token is { Length: > 0 } ? ApiKeyAuthenticator.Hash(token) : null;
            var key = hash is null ? null : access.Keys.FirstOrDefault(k => string.Equals(k.Hash, hash, StringComparison.OrdinalIgnoreCase));
            if (key is null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return RefuseAsync(context, StatusCodes.Status401Unauthorized, "A key is required: send Authorization: Bearer <key>, a key listed in the bridge's Herald:Mcp:Keys.");
            }

            KeyAccepted(logger, key.Name);
        }

        return next(context);
    }

    private static bool HostAllowed(HostString host, McpAccessOptions access)
    {
        if (!host.HasValue)
            return false;
        var allowed = access.AllowedHosts.Count > 0 ? access.AllowedHosts : (IEnumerable<string>)LoopbackNames;
        return allowed.Any(a => a == "*" || string.Equals(a, host.Value, StringComparison.OrdinalIgnoreCase) || string.Equals(a, host.Host, StringComparison.OrdinalIgnoreCase));
    }

    private static bool OriginAllowed(string origin, McpAccessOptions access)
    {
        if (access.AllowedOrigins.Count > 0)
            return access.AllowedOrigins.Any(a => a == "*" || string.Equals(a.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.IsLoopback;
    }

    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", error = new { code = -32001, message }, id = (object?)null }));
    }

    [LoggerMessage(EventId = 6010, Level = LogLevel.Debug, Message = "MCP request with key {KeyName}")]
    private static partial void KeyAccepted(ILogger logger, string keyName);
}
