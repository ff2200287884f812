using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Herald.Contracts;

namespace Herald.Grains.Tests;

public sealed class StreamMessageTests
{
    // 03:04:05.678 at +02:00 is 01:04:05.678 UTC.
    private static readonly DateTimeOffset Timestamp = new(2024, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2));

    [Fact]
    public void Webhook_body_is_message_timestamp_id_and_topic_in_that_order()
    {
        var message = new LogEntry(42, "orders.created", """say "hi" <now>""", Timestamp);

        using var body = JsonDocument.Parse(message.WebhookBody);

        var properties = body.RootElement.EnumerateObject().ToArray();
        Assert.Equal(["message", "timestamp", "id", "topic"], properties.Select(p => p.Name));
        Assert.Equal("""say "hi" <now>""", properties[0].Value.GetString());
        Assert.Equal("2024-01-02T01:04:05.678Z", properties[1].Value.GetString());
        Assert.Equal(42, properties[2].Value.GetInt64());
        Assert.Equal("orders.created", properties[3].Value.GetString());
    }

    [Fact]
    public void Webhook_body_is_compact_utf8_json()
    {
        var message = new LogEntry(7, "default", "hi", Timestamp);

        Assert.Equal(
            """{"message":"hi","timestamp":"2024-01-02T01:04:05.678Z","id":7,"topic":"default"}""",
            Encoding.UTF8.GetString(message.WebhookBody.Span));
    }

    [Fact]
    public void Webhook_id_is_msg_and_the_sequence()
    {
        Assert.Equal("msg_42", new LogEntry(42, "t", "m", Timestamp).WebhookId);
        Assert.Equal("msg_9007199254740993", new LogEntry(9007199254740993, "t", "m", Timestamp).WebhookId);
    }

    [Fact]
    public void Webhook_body_is_serialized_once_and_shared()
    {
        var message = new LogEntry(1, "t", "m", Timestamp);

        Assert.True(MemoryMarshal.TryGetArray(message.WebhookBody, out var first));
        Assert.True(MemoryMarshal.TryGetArray(message.WebhookBody, out var second));

        Assert.Same(first.Array, second.Array);
        Assert.Equal(first.Offset, second.Offset);
        Assert.Equal(first.Count, second.Count);
    }
}
