using System.Globalization;
using System.Text;
using System.Text.Json;
using Herald.Contracts;

namespace Herald.Gateway.Sse;

/// <summary>
/// The bytes of SSE frames. A message is formatted once per gateway and the same bytes go to every listener.
/// Written by hand rather than with SseFormatter because listeners share pre-encoded frames and keepalives are
/// comments, which SseFormatter does not write.
/// </summary>
public static class SseFrames
{
    public static readonly ReadOnlyMemory<byte> KeepAlive = ": keepalive\n\n"u8.ToArray();

    public static ReadOnlyMemory<byte> Connected(int retryMilliseconds, DateTimeOffset now) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"retry: {retryMilliseconds}\ndata: [{HeraldTime.ToWire(now)}] Connected to Herald stream\n\n"));

    /// <summary>The greeting of a <c>?format=json</c> stream: JSON, like every other data line it sends.</summary>
    public static ReadOnlyMemory<byte> ConnectedJson(int retryMilliseconds, DateTimeOffset now) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"retry: {retryMilliseconds}\ndata: {{\"status\":\"connected\",\"timestamp\":\"{HeraldTime.ToWire(now)}\"}}\n\n"));

    public static ReadOnlyMemory<byte> Message(LogEntry message, SseFormat format) =>
        format == SseFormat.Json ? JsonMessage(message) : Message(message);

    /// <summary><c>id: seq</c>, then <c>data: [timestamp] message</c>, one data line per line of the message.</summary>
    public static ReadOnlyMemory<byte> Message(LogEntry message)
    {
        var builder = new StringBuilder(message.Message.Length + 64);
        builder.Append("id: ").Append(message.Seq.ToString(CultureInfo.InvariantCulture)).Append('\n');
        builder.Append("data: [").Append(HeraldTime.ToWire(message.Timestamp)).Append("] ");
        AppendData(builder, message.Message);
        builder.Append("\n\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>
    /// <c>id: seq</c>, then one data line of JSON with the topic (and an inbound event's type) that the text format
    /// has no room for. JSON escapes line breaks, so the message always fits on one line.
    /// </summary>
    public static ReadOnlyMemory<byte> JsonMessage(LogEntry message)
    {
        using var buffer = new MemoryStream(message.Message.Length + 128);
        buffer.Write("id: "u8);
        buffer.Write(Encoding.ASCII.GetBytes(message.Seq.ToString(CultureInfo.InvariantCulture)));
        buffer.Write("\ndata: "u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", message.Seq);
            writer.WriteString("topic", message.Topic);
            writer.WriteString("timestamp", HeraldTime.ToWire(message.Timestamp));
            writer.WriteString("message", message.Message);
            if (message.Type is not null)
                writer.WriteString("type", message.Type);
            // A push's data object; an inbound event's payload stays out of the stream (GET /api/events/{id} has it).
            if (message.Payload is not null && !message.IsInbound)
                LogEntry.WriteJson(writer, "data", message.Payload);
            writer.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        return buffer.ToArray();
    }

    /// <summary>
    /// Tells a listener that it cannot have what it asked to replay, and from where the stream resumes, rather
    /// than leaving a silent hole.
    /// </summary>
    public static ReadOnlyMemory<byte> Reset(string reason, long requestedAfter, long resumeFrom)
    {
        var json = JsonSerializer.Serialize(new { reason, requested_after = requestedAfter, resume_from = resumeFrom });
        return Encoding.UTF8.GetBytes($"event: reset\ndata: {json}\n\n");
    }

    private static void AppendData(StringBuilder builder, string text)
    {
        // Any of CRLF, CR or LF ends an SSE line, so each becomes a new data: line, which clients join with LF.
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    i++;
                builder.Append("\ndata: ");
            }
            else
            {
                builder.Append(c);
            }
        }
    }
}
