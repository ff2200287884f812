using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge;

/// <summary>
/// Arguments are checked against the tool's input schema before the tool runs, so a wrong one gets an error that
/// names it ("id must be an integer, not \"abc\"") instead of the SDK's "An error occurred invoking …".
/// </summary>
public static class ToolArgumentChecks
{
    /// <summary>A tools/call whose arguments are not an object is malformed: JSON-RPC's invalid params, with a reason.</summary>
    public static McpMessageHandler RejectNonObjectArguments(McpMessageHandler next) => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ToolsCall, Params: { } parameters } &&
            parameters.GetValueKind() == JsonValueKind.Object && parameters["arguments"] is { } arguments &&
            arguments.GetValueKind() != JsonValueKind.Object)
        {
            throw new McpProtocolException(
                $"arguments must be a JSON object of the tool's parameters (got {arguments.GetValueKind().ToString().ToLowerInvariant()}); see inputSchema in tools/list.",
                McpErrorCode.InvalidParams);
        }

        return next(context, cancellationToken);
    };

    public static McpRequestHandler<CallToolRequestParams, CallToolResult> CheckAgainstSchema(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            if (context.MatchedPrimitive is McpServerTool tool && Problem(tool.ProtocolTool.InputSchema, context.Params?.Arguments) is { } problem)
            {
                context.Services?.GetService<McpMetrics>()?.RefusedArguments(tool.ProtocolTool.Name);
                return new CallToolResult
                {
                    IsError = true,
                    Content = [new TextContentBlock { Text = $"Invalid arguments for {tool.ProtocolTool.Name}: {problem}" }],
                };
            }

            return await next(context, cancellationToken);
        };

    /// <summary>The first argument that is missing or of the wrong type, described; null when all fit.</summary>
    public static string? Problem(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!arguments.ContainsKey(name))
                    return $"{name} is required";
            }
        }

        if (!schema.TryGetProperty("properties", out var properties))
            return null;
        foreach (var (name, value) in arguments)
        {
            if (properties.TryGetProperty(name, out var property) && Mismatch(property, value) is { } expected)
                return $"{name} must be {expected}, not {Shown(value)}";
        }

        return null;
    }

    private static string? Mismatch(JsonElement schema, JsonElement value)
    {
        if (!schema.TryGetProperty("type", out var type))
            return null;
        var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
        if (allowed.Any(t => Fits(t, value)))
        {
            if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
                return value.EnumerateArray().Select(item => Mismatch(items, item)).FirstOrDefault(m => m is not null) is { } itemMismatch ? $"an array whose items are {itemMismatch}" : null;
            return null;
        }

        return string.Join(" or ", allowed.Select(t => t switch
        {
            "integer" => "an integer",
            "number" => "a number",
            "string" => "a string",
            "boolean" => "true or false",
            "array" => "an array",
            "object" => "an object",
            "null" => "null",
            _ => t,
        }));
    }

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Shown(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 60 ? text : text[..60] + "…";
    }
}
