using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge;

/// <summary>
/// Streamable HTTP at <c>/mcp</c>, stateless: each POST carries one JSON-RPC message, served by a short-lived
/// server on its own transport, so any bridge instance can answer any request. Tools need nothing more.
/// </summary>
public static class StreamableHttpEndpoint
{
    public const string Path = "/mcp";

    public static IEndpointRouteBuilder MapMcpEndpoint(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, HandlePostAsync);
        routes.MapGet(Path, () => Results.StatusCode(StatusCodes.Status405MethodNotAllowed));
        routes.MapDelete(Path, () => Results.StatusCode(StatusCodes.Status405MethodNotAllowed));
        return routes;
    }

    private static async Task HandlePostAsync(HttpContext context, IOptions<McpServerOptions> options, ILoggerFactory loggers, IServiceProvider services)
    {
        var cancellationToken = context.RequestAborted;
        JsonRpcMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync<JsonRpcMessage>(context.Request.Body, McpJsonUtilities.DefaultOptions, cancellationToken);
        }
        catch (JsonException exception)
        {
            await WriteErrorAsync(context, $"Parse error: {exception.Message}", -32700);
            return;
        }

        if (message is null)
        {
            await WriteErrorAsync(context, "Invalid request: the body must be one JSON-RPC message.", -32600);
            return;
        }

        var transport = new StreamableHttpServerTransport(loggers) { Stateless = true };
        await using var server = McpServer.Create(transport, options.Value, loggers, services);
        var running = server.RunAsync(cancellationToken);

        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache,no-store";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var wrote = await transport.HandlePostRequestAsync(message, context.Response.Body, cancellationToken);
        if (!wrote)
        {
            // A notification or a response from the client: accepted, nothing to send back.
            context.Response.Headers.ContentType = (string?)null;
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }

        await transport.DisposeAsync();
        await running.ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private static Task WriteErrorAsync(HttpContext context, string message, int code)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(new JsonRpcError { Error = new JsonRpcErrorDetail { Code = code, Message = message } }, McpJsonUtilities.DefaultOptions);
    }
}
