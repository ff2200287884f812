using System.Text.Json;

namespace Herald.Contracts;

/// <summary>
/// Carries a <see cref="JsonElement"/> (an inbound event's payload, a pushed <c>data</c> object) across Orleans as its
/// text: such values are documents Herald stores as it received them, not shapes it knows.
/// </summary>
[RegisterConverter]
public sealed class JsonElementConverter : IConverter<JsonElement, JsonElementSurrogate>
{
    public JsonElement ConvertFromSurrogate(in JsonElementSurrogate surrogate) =>
        surrogate.Text is null ? default : JsonDocument.Parse(surrogate.Text).RootElement.Clone();

    public JsonElementSurrogate ConvertToSurrogate(in JsonElement value) =>
        new() { Text = value.ValueKind == JsonValueKind.Undefined ? null : value.GetRawText() };
}

[GenerateSerializer, Immutable, Alias("Herald.JsonElement")]
public readonly record struct JsonElementSurrogate
{
    [Id(0)]
    public string? Text { get; init; }
}
