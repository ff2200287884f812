using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Application;

/// <summary>
/// How Herald's API writes its answers as JSON (snake_case names, every timestamp in the one wire format), for the
/// REST routes and for the MCP bridge, which writes the entry grain's typed answers in the same shape.
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new WireTimeConverter());
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }
}
