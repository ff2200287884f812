using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Contracts;

namespace Herald.Application;

/// <summary>Writes every timestamp in the one wire format (ISO-8601 UTC, Z suffix); reads any ISO-8601 form.</summary>
public sealed class WireTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(HeraldTime.ToWire(value));
}
