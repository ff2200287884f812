using System.ComponentModel;
using System.Net;
using System.Text.Json;
using Herald.Contracts;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

[McpServerToolType]
public sealed class WebhookTools(IHeraldApi herald)
{
    [McpServerTool(Name = "register_webhook", Title = "Register a webhook", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Register an HTTP(S) endpoint to receive Herald's messages. Optionally limit it to topics (wildcards like 'orders.*'; " +
                 "'inbound.github' for received GitHub webhooks) and give a Standard Webhooks secret (whsec_...). " +
                 "Without a secret one is generated and returned once, so the receiver can verify signatures. Registering a URL again changes nothing.")]
    public async Task<RegisteredWebhook> RegisterWebhookAsync(
        [Description("The absolute http(s) URL that will receive POSTs.")] string url,
        [Description("Topic patterns to receive; leave out for every topic except inbound ones.")] string[]? topics = null,
        [Description("A Standard Webhooks signing secret (whsec_ + base64). Leave out to have one generated.")] string? secret = null,
        CancellationToken cancellationToken = default)
    {
        var (status, body) = await herald.TryCreateEndpointAsync(url, topics, secret, cancellationToken);
        if (status == HttpStatusCode.OK)
        {
            var created = body.Deserialize<EndpointStatus>(GatewayClient.Json)!;
            return new RegisteredWebhook(created.Id, url, false, created.Secret, created with { Secret = null });
        }

        if (status == HttpStatusCode.Conflict && body.TryGetProperty("endpoint_id", out var existing))
        {
            var endpoint = (await herald.GetEndpointAsync(existing.GetString()!, cancellationToken)).As<EndpointStatus>();
            return new RegisteredWebhook(existing.GetString()!, url, true, null, endpoint);
        }

        throw new McpException($"Herald refused the registration: {ErrorOf(body)}");
    }

    [McpServerTool(Name = "unregister_webhook", Title = "Unregister a webhook", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Remove a registered webhook by its URL or its id (ep_...). Delivery to it stops and its delivery history is deleted. " +
                 "Removing one that is not registered (any more) succeeds and says so, so the call can be repeated safely.")]
    public async Task<UnregisteredWebhook> UnregisterWebhookAsync(
        [Description("The webhook's URL as registered, or its id (ep_...).")] string url_or_id,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(url_or_id))
            throw new McpException("url_or_id must not be empty: give the webhook's URL or its id (see list_webhooks).");
        var (status, body) = url_or_id.StartsWith("ep_", StringComparison.Ordinal)
            ? await herald.TryDeleteEndpointAsync(url_or_id, cancellationToken)
            : await herald.TryUnregisterAsync(url_or_id, cancellationToken);
        return status switch
        {
            HttpStatusCode.OK => new UnregisteredWebhook(url_or_id, true, $"Unregistered {url_or_id}"),
            HttpStatusCode.NotFound => new UnregisteredWebhook(url_or_id, false, $"{url_or_id} was not registered; nothing to remove"),
            _ => throw new McpException($"Herald refused to unregister {url_or_id}: {ErrorOf(body)}"),
        };
    }

    [McpServerTool(Name = "list_webhooks", Title = "List webhooks", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List every registered webhook with its topics and delivery health: enabled or disabled (and why), delivered and failed counts, consecutive failures, backlog (lag) and the last attempt's result.")]
    public async Task<WebhookList> ListWebhooksAsync(CancellationToken cancellationToken = default)
    {
        // The gateway lists endpoints a page at a time; the tool promises every one.
        var endpoints = new List<WebhookSummary>();
        string? after = null;
        do
        {
            var page = await herald.ListEndpointsAsync(1000, after, url: null, cancellationToken);
            endpoints.AddRange(page.GetProperty("endpoints").EnumerateArray().Select(Summarize));
            after = page.GetProperty("next").GetString();
        }
        while (after is not null);

        return new WebhookList([.. endpoints], endpoints.Count);
    }

    [McpServerTool(Name = "get_webhook_status", Title = "Webhook status", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Show one webhook's status (enabled/disabled and why, cursor, lag, consecutive failures, next retry) and its 10 most recent delivery attempts with status code, latency, error and response excerpt.")]
    public async Task<WebhookStatus> GetWebhookStatusAsync(
        [Description("The webhook's id (ep_...) or its registered URL.")] string id_or_url,
        CancellationToken cancellationToken = default)
    {
        var id = await ResolveIdAsync(id_or_url, cancellationToken);
        var endpoint = (await herald.GetEndpointAsync(id, cancellationToken)).As<EndpointStatus>();
        var attempts = await herald.ListAttemptsAsync(id, 10, cancellationToken);
        return new WebhookStatus(endpoint, attempts.GetProperty("attempts").Deserialize<DeliveryAttempt[]>(GatewayClient.Json)!);
    }

    private async Task<string> ResolveIdAsync(string idOrUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(idOrUrl))
            throw new McpException("id_or_url must not be empty: give the webhook's id (ep_...) or URL (see list_webhooks).");
        if (idOrUrl.StartsWith("ep_", StringComparison.Ordinal))
            return idOrUrl;
        var match = (await herald.ListEndpointsAsync(1, after: null, idOrUrl.Trim(), cancellationToken)).GetProperty("endpoints").EnumerateArray()
            .FirstOrDefault();
        return match.ValueKind == JsonValueKind.Object
            ? match.GetProperty("id").GetString()!
            : throw new McpException($"No webhook is registered for '{idOrUrl}'. Use list_webhooks to see the registered URLs and ids.");
    }

    private static WebhookSummary Summarize(JsonElement e)
    {
        var last = e.GetProperty("last_attempt");
        return new WebhookSummary(
            e.GetProperty("id").GetString()!, e.GetProperty("url").GetString()!,
            e.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray(),
            e.GetProperty("enabled").GetBoolean(), e.GetProperty("disabled_reason").GetString(),
            e.GetProperty("delivered").GetInt64(), e.GetProperty("failed").GetInt64(), e.GetProperty("consecutive_failures").GetInt32(),
            e.GetProperty("lag").GetInt64(),
            last.ValueKind == JsonValueKind.Object && last.GetProperty("status_code").ValueKind == JsonValueKind.Number ? last.GetProperty("status_code").GetInt32() : null,
            last.ValueKind == JsonValueKind.Object ? last.GetProperty("error").GetString() : null);
    }

    private static string ErrorOf(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var error) ? error.GetString() ?? "unknown error" : "unknown error";
}
