using System.Text.Json;

namespace Herald.Contracts;

/// <summary>
/// One entry of the durable log. Its sequence number is its id. Immutable; the webhook body is serialized once
/// and shared by every webhook that delivers it, so fan-out does not allocate per subscriber.
/// A webhook grain's wake carries it: immutable, so a call within a silo hands every grain the same instance.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.LogEntry")]
public sealed class LogEntry(long seq, string topic, string message, DateTimeOffset timestamp, string? type = null, string? payload = null)
{
    // Derived, and cached for every grain the same instance reaches; never sent.
    [NonSerialized]
    private byte[]? _webhookBody;

    [NonSerialized]
    private string? _webhookId;

    [Id(0)]
    public long Seq { get; } = seq;

    [Id(1)]
    public string Topic { get; } = topic;

    [Id(2)]
    public string Message { get; } = message;

    [Id(3)]
    public DateTimeOffset Timestamp { get; } = timestamp;

    /// <summary>The event type of an inbound event (for example a GitHub <c>push</c>); null for pushes.</summary>
    [Id(4)]
    public string? Type { get; } = type;

    /// <summary>
    /// JSON kept with the entry: an inbound event's original payload, relayed as is, or the <c>data</c> object a push
    /// carried (null for pushes of a message alone).
    /// </summary>
    [Id(5)]
    public string? Payload { get; } = payload;

    /// <summary>A relayed inbound event, whose topics no push may use; anything else is a push.</summary>
    public bool IsInbound => Topic.StartsWith(TopicFilter.InboundPrefix, StringComparison.Ordinal);

    /// <summary>The id receivers de-duplicate on: the same for every attempt and every failover of this message.</summary>
    public string WebhookId => _webhookId ??= "msg_" + Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The webhook POST body: <c>{"message","timestamp","id","topic"}</c>, UTF-8; a relayed inbound event adds
    /// <c>"type"</c> and the original <c>"payload"</c>, and a push that carried an object adds it as <c>"data"</c>.
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
                WriteJson(writer, IsInbound ? "payload" : "data", Payload);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Writes stored JSON as the value of <paramref name="name"/>. Inbound payloads are stored as received: JSON ones
    /// are embedded as JSON, anything else as a string.
    /// </summary>
    public static void WriteJson(Utf8JsonWriter writer, string name, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            writer.WritePropertyName(name);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteString(name, json);
        }
    }
}
