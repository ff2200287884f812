using System.Text.Json;

namespace Herald.Gateway.Http;

/// <summary>Writes a problem response directly, for middleware that answers outside an endpoint (rate limiting).</summary>
public static class ApiProblemWriter
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { title, status, detail, error = detail }), cancellationToken);
    }
}
