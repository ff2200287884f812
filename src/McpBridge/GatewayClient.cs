using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Herald.McpBridge.Security;
using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace Herald.McpBridge;

/// <summary>
/// The bridge's typed client for the gateway's HTTP API. Every failure becomes an <see cref="McpException"/> with
/// a message a model can act on: what was wrong with the request, or which gateway URL could not be reached. When
/// nothing listens at an address on this machine, it starts Herald there (<see cref="LocalHerald"/>) and goes on.
/// The API key goes to the configured gateway only, and every connection passes <see cref="BridgeConnections"/>.
/// One instance serves one tool call.
/// </summary>
public sealed class GatewayClient(HttpClient http, LocalHerald local, BridgeConnections connections, IOptions<BridgeOptions> options)
{
    /// <summary>The gateway's JSON: snake_case names, as its API documents them.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Uri DefaultBase => new(options.Value.GatewayUrl.TrimEnd('/') + "/");

    /// <summary>True once this call found no Herald at a local address and started one there.</summary>
    public bool StartedHerald { get; private set; }

    /// <summary>
    /// The gateway to call: the configured one, or another on this machine by host and port (host 0.0.0.0 means this
    /// machine). A host elsewhere is refused: a tool argument must not send the bridge, or its key, anywhere else.
    /// </summary>
    public Uri Resolve(string? host, int? port)
    {
        if (host is null && port is null)
            return DefaultBase;
        if (port is < 1 or > 65535)
            throw new McpException($"port must be from 1 to 65535, not {port}.");
        if (host is not null && host != "0.0.0.0" && !connections.IsThisMachine(host))
        {
            throw new McpException($"host '{host}' is not this machine. The push tools reach a Herald on this machine by host and port " +
                                   "(localhost, 127.0.0.1 or this machine's name); any other Herald is reached only through the bridge's configured gateway (Herald__GatewayUrl).");
        }

        var target = new UriBuilder(DefaultBase);
        if (host is not null)
            target.Host = host is "0.0.0.0" or "localhost" ? "127.0.0.1" : host;
        if (port is not null)
            target.Port = port.Value;
        return target.Uri;
    }

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken, Uri? gateway = null) =>
        (await GetAsync(path, cancellationToken, gateway)).Deserialize<T>(Json)!;

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken, Uri? gateway = null) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken, gateway);

    public Task<JsonElement> PostAsync(string path, object body, CancellationToken cancellationToken, Uri? gateway = null) =>
        SendAsync(HttpMethod.Post, path, body, cancellationToken, gateway);

    /// <summary>Like the other calls, but a 4xx comes back as its status and body instead of an error.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> TrySendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        try
        {
            return (HttpStatusCode.OK, await SendAsync(method, path, body, cancellationToken, allowClientErrors: true));
        }
        catch (ClientErrorException error)
        {
            return (error.Status, error.Body);
        }
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken, Uri? gateway = null, bool allowClientErrors = false)
    {
        var server = gateway ?? DefaultBase;
        try
        {
            return await SendOnceAsync(method, new Uri(server, path), body, allowClientErrors, cancellationToken);
        }
        catch (HttpRequestException exception) when (IsRefused(exception) && LocalHerald.IsThisMachine(server))
        {
            StartedHerald |= await local.EnsureStartedAsync(server, cancellationToken);
            return await SendOnceAsync(method, new Uri(server, path), body, allowClientErrors, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new McpException($"The Herald gateway at {server.GetLeftPart(UriPartial.Authority)} could not be reached ({exception.Message}). " +
                                   "Is it running, and is the address right? Set Herald__GatewayUrl to its address.");
        }
    }

    private async Task<JsonElement> SendOnceAsync(HttpMethod method, Uri target, object? body, bool allowClientErrors, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, target);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        // The key is the configured gateway's: another Herald on this machine, named by a tool call, does not get it.
        if (options.Value.ApiKey is { Length: > 0 } key && connections.IsConfiguredGateway(target))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        if (allowClientErrors && (int)response.StatusCode is >= 400 and < 500 && text.Length > 0)
            throw new ClientErrorException(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        throw new McpException(Describe(response.StatusCode, text, $"Herald at {target.GetLeftPart(UriPartial.Authority)}"));
    }

    // Refused means nothing listens there; a timeout or a reset means something does, and starting Herald would clash.
    private static bool IsRefused(HttpRequestException exception) =>
        exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };

    private sealed class ClientErrorException(HttpStatusCode status, JsonElement body) : Exception
    {
        public HttpStatusCode Status { get; } = status;

        public JsonElement Body { get; } = body;
    }

    /// <summary>An error answer as a model reads it: Herald's own message when the body carries one.</summary>
    internal static string Describe(HttpStatusCode status, string body, string where)
    {
        try
        {
            if (JsonDocument.Parse(body).RootElement.TryGetProperty("error", out var error))
                return $"Herald answered {(int)status}: {error.GetString()}";
        }
        catch (JsonException)
        {
        }

        return $"{where} answered {(int)status} {status}.";
    }
}
