using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

[McpServerToolType]
public sealed class PushTools(IHeraldApi herald)
{
    [McpServerTool(Name = "push_webhook", Title = "Push a message to webhooks", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true, UseStructuredContent = true)]
    [Description("Push a message through Herald to every registered webhook (signed, retried until delivered) and every live SSE listener. " +
                 "Waits for the first delivery attempts (up to 10 s) and reports how many webhooks got it, e.g. \"Delivered to 3 of 4 webhooks\". " +
                 "Give a topic to reach only the endpoints subscribed to it. If nothing answers at that address on this machine, Herald is started there first.")]
    public async Task<PushResult> PushWebhookAsync(
        [Description("The message text to deliver. Must not be empty.")] string message,
        [Description("Port of the Herald gateway to use. Leave out to use the configured gateway.")] int? port = null,
        [Description("Host of the Herald gateway to use; 0.0.0.0 or localhost means this machine. Leave out to use the configured gateway.")] string? host = null,
        [Description("Topic of the message (letters, digits, . _ - : /). Leave out for 'default'.")] string? topic = null,
        CancellationToken cancellationToken = default)
    {
        var pushed = await PushAsync(message, topic, wait: true, host, port, cancellationToken);
        var notified = pushed.Body.GetProperty("webhooks_notified").GetInt32();
        var total = pushed.Body.GetProperty("total_webhooks").GetInt32();
        return Result(pushed, $"Delivered to {notified} of {total} webhooks");
    }

    [McpServerTool(Name = "push_stream", Title = "Push a message to live listeners", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true, UseStructuredContent = true)]
    [Description("Push a message to everyone listening on Herald's Server-Sent Events stream (and, in the background, to the registered webhooks). " +
                 "Returns at once with the number of SSE listeners whose topic filter lets the message through, e.g. \"Sent to 2 SSE clients\". " +
                 "If nothing answers at that address on this machine, Herald is started there first.")]
    public async Task<PushResult> PushStreamAsync(
        [Description("The message text to send. Must not be empty.")] string message,
        [Description("Port of the Herald gateway to use. Leave out to use the configured gateway.")] int? port = null,
        [Description("Host of the Herald gateway to use; 0.0.0.0 or localhost means this machine. Leave out to use the configured gateway.")] string? host = null,
        [Description("Topic of the message (letters, digits, . _ - : /). Leave out for 'default'.")] string? topic = null,
        CancellationToken cancellationToken = default)
    {
        var pushed = await PushAsync(message, topic, wait: false, host, port, cancellationToken);
        var clients = pushed.Body.GetProperty("clients").GetInt32();
        return Result(pushed, $"Sent to {clients} SSE client{(clients == 1 ? "" : "s")}");
    }

    private Task<PushAnswer> PushAsync(string message, string? topic, bool wait, string? host, int? port, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(message))
            throw new McpException("message must not be empty: give the text to deliver.");
        return herald.PushAsync(message, topic, wait, host, port, cancellationToken);
    }

    private static PushResult Result(PushAnswer answer, string summary)
    {
        var pushed = answer.Body;
        return new PushResult(
            answer.StartedHerald ? $"Started Herald at {answer.Herald} (inside this bridge, in memory). {summary}" : summary,
            pushed.GetProperty("webhooks_notified").GetInt32(),
            pushed.GetProperty("total_webhooks").GetInt32(),
            pushed.GetProperty("clients").GetInt32(),
            pushed.GetProperty("id").GetInt64(),
            pushed.GetProperty("topic").GetString()!,
            pushed.GetProperty("timestamp").GetString()!,
            answer.Herald,
            answer.StartedHerald);
    }
}
