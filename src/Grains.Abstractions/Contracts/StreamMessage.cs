using System.Text.Json;

namespace Herald.Contracts;

/// <summary>
/// One entry of the durable log. Its sequence number is its id. Immutable; the webhook body is serialized once
/// and shared by every webhook that delivers it, so fan-out does not allocate per subscriber.
/// </summary>
public sealed class StreamMessage(long seq, string topic, string message, DateTimeOffset timestamp, string? type = null, string? payload = null)
{
    private byte[]? _webhookBody;

    public long Seq { get; } = seq;

    public string Topic { get; } = topic;

    public string Message { get; } = message;

    public DateTimeOffset Timestamp { get; } = timestamp;

    /// <summary>The event type of an inbound event (for example a GitHub <c>push</c>); null for pushes.</summary>
    public string? Type { get; } = type;

    /// <summary>The original JSON payload of an inbound event, relayed as is; null for pushes.</summary>
    public string? Payload { get; } = payload;

    /// <summary>The id receivers de-duplicate on: the same for every attempt and every failover of this message.</summary>
    public string WebhookId => "msg_" + Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The webhook POST body: <c>{"message","timestamp","id","topic"}</c>, UTF-8; a relayed inbound event adds
    /// <c>"type"</c> and the original <c>"payload"</c>.
    /// </summary>
    public ReadOnlyMemory<byte> WebhookBody => _webhookBody ??= SerializeWebhookBody();

    private byte[] SerializeWebhookBody()
    {
        using var buffer = new MemoryStream(64 + Message.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("message", Message);
            writer.WriteString("timestamp", HeraldTime.ToWire(Timestamp));
            writer.WriteNumber("id", Seq);
            writer.WriteString("topic", Topic);
            if (Type is not null)
                writer.WriteString("type", Type);
            if (Payload is not null)
                WritePayload(writer, Payload);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // Inbound payloads are stored as received; JSON ones are embedded as JSON, anything else as a string.
    private static void WritePayload(Utf8JsonWriter writer, string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            writer.WritePropertyName("payload");
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteString("payload", payload);
        }
    }
}
