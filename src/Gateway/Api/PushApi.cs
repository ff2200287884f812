using System.Text.Json;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Delivery;
using Herald.Silo.Cluster;
using Herald.Silo.Security;
using Herald.Silo.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

public static class PushApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    private const int MaxIdempotencyKeyLength = 255;

    public static IEndpointRouteBuilder MapPushApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api").MapPost("/push", PushAsync).WithName("Push").RequireScope(ApiScopes.Push);
        return routes;
    }

    /// <summary>
    /// Appends the message once and fans it out. By default waits for first attempts (up to the delivery
    /// timeout) and answers 200; with <c>"wait": false</c> answers 202 as soon as the message is in the log.
    /// An <c>Idempotency-Key</c> makes retries safe: a push whose key is in the log already appends nothing and
    /// answers with that message. A 503 means nothing was appended; it names a key to retry with, in case the
    /// database committed the append while the answer was lost.
    /// </summary>
    private static async Task<Results<Ok<PushResponse>, Accepted<PushResponse>, ProblemHttpResult>> PushAsync(
        HttpRequest request, IGrainFactory grains, PushRetries retries, ClusterView cluster, IOptions<LimitsOptions> limits, IOptions<DeliveryOptions> delivery,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<PushRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;

        var (content, invalid) = Check(body!.Message, body.Topic, body.Data, limits.Value);
        if (invalid is not null)
            return invalid;
        var givenKey = request.Headers[IdempotencyKeyHeader].ToString();
        if (request.Headers[IdempotencyKeyHeader].Count > 1 || givenKey.Length > MaxIdempotencyKeyLength || (request.Headers.ContainsKey(IdempotencyKeyHeader) && string.IsNullOrWhiteSpace(givenKey)))
            return ApiProblems.Field(IdempotencyKeyHeader, $"must be one non-empty value of at most {MaxIdempotencyKeyLength} characters, such as a UUID");

        var wait = body.Wait ?? true;
        using var watch = wait ? new FirstAttemptWatch(grains) : null;
        var (receipt, refused) = await AppendAsync(content!, body.Topic, givenKey, watch?.Observer, retries, cluster);
        if (refused is not null)
        {
            if (refused.StatusCode == StatusCodes.Status503ServiceUnavailable)
                request.HttpContext.Response.Headers.RetryAfter = "1";
            return refused;
        }

        var notified = watch is not null && receipt!.AwaitsFirstAttempts
            ? await watch.WaitAsync(receipt.Seq, receipt.Subscribers, delivery.Value.Timeout)
            : 0;
        var response = Answer(receipt!, content!.Message, notified, cluster.CountClients(receipt!.Topic));
        return wait && receipt!.Unconfirmed is null ? TypedResults.Ok(response) : TypedResults.Accepted((string?)null, response);
    }

    /// <summary>
    /// What a push of <paramref name="message"/> and <paramref name="data"/> on <paramref name="topic"/> appends, or
    /// why it is refused. Without a message, the data's compact JSON is the message (what SSE's text format shows).
    /// </summary>
    internal static (PushContent? Content, ProblemHttpResult? Problem) Check(string? message, string? topic, JsonElement? data, LimitsOptions limits)
    {
        string? json = null;
        if (data is { ValueKind: not JsonValueKind.Null } given)
        {
            if (given.ValueKind != JsonValueKind.Object)
                return (null, ApiProblems.Field("data", $"must be a JSON object, not {given.ValueKind.ToString().ToLowerInvariant()}"));
            if (RequestRules.HasUnpairedSurrogate(given))
                return (null, ApiProblems.Field("data", "contains a string with an unpaired UTF-16 surrogate escape (such as \\ud800)"));
            json = JsonSerializer.Serialize(given, CompactJson);
            if (json.Length > limits.MaxMessageLength)
                return (null, ApiProblems.Field("data", $"must be at most {limits.MaxMessageLength} characters as JSON"));
        }

        if (string.IsNullOrEmpty(message) && json is null)
            return (null, ApiProblems.Field("message", "is required and must not be empty (or send a JSON object as data)"));
        message = string.IsNullOrEmpty(message) ? json! : message;
        if (message.Length > limits.MaxMessageLength)
            return (null, ApiProblems.Field("message", $"must be at most {limits.MaxMessageLength} characters"));
        return RequestRules.PushTopic(topic) is { } topicError ? (null, ApiProblems.Field("topic", topicError)) : (new PushContent(message, json), null);
    }

    // Compact, and readable in SSE's text format: only what JSON requires is escaped.
    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Appends a checked push through the topic's broadcaster; <paramref name="outcomes"/> hears the first attempts.
    /// Gives the receipt, or the problem that refused it: PostgreSQL unreachable (nothing appended), or an
    /// idempotency key reused for another message.
    /// </summary>
    internal static async Task<(PushReceipt? Receipt, ProblemHttpResult? Problem)> AppendAsync(
        PushContent content, string? topic, string givenKey, IFirstAttemptObserver? outcomes, PushRetries retries, ClusterView cluster)
    {
        var message = content.Message;
        topic ??= TopicFilter.DefaultTopic;
        // Only a database append can fail with its outcome unknown; then the 503 names a key to retry with. An
        // in-memory append cannot, so it needs no key (and keeps none in memory) unless the client sent one.
        var idempotencyKey = givenKey.Length > 0 ? givenKey : cluster.IsCluster ? "herald_" + Guid.CreateVersion7().ToString("N") : null;
        var command = new PushCommand(topic, message, idempotencyKey, outcomes, content.Data);
        PushReceipt receipt;
        try
        {
            receipt = await retries.PushAsync(command);
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
        {
            if (!cluster.IsCluster)
            {
                // A local file answers for certain: nothing was committed, so a plain retry is safe.
                return (null, ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                    $"Herald's data file cannot be written ({exception.GetBaseException().Message}), so the push was not accepted. Retry once it can be."));
            }

            return (null, ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                $"PostgreSQL is unreachable, so the push was not accepted. Retry shortly with the header {IdempotencyKeyHeader}: {idempotencyKey} " +
                "(should the database have committed it while the answer was lost, that retry answers with the message instead of pushing it twice).",
                new Dictionary<string, object?> { ["idempotency_key"] = idempotencyKey }));
        }
        catch (Exception exception) when (ClusterErrors.IsTransient(exception) || exception is OperationCanceledException)
        {
            return (null, ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                $"A Herald process left or joined the cluster and the push could not be routed within {PushRetries.Window.TotalSeconds:0} s. " +
                $"Retry shortly with the header {IdempotencyKeyHeader}: {idempotencyKey} (should it have been appended after all, that retry answers with it instead of pushing it twice).",
                new Dictionary<string, object?> { ["idempotency_key"] = idempotencyKey }));
        }

        if (receipt.Duplicate && (receipt.Topic != topic || receipt.Message != message))
        {
            return (null, ApiProblems.Status(StatusCodes.Status409Conflict, "Idempotency key reused",
                $"The {IdempotencyKeyHeader} '{idempotencyKey}' was used for a different push (message {receipt.Seq}); use a new key for a new message.",
                new Dictionary<string, object?> { ["id"] = receipt.Seq }));
        }

        return (receipt, null);
    }

    internal static PushResponse Answer(PushReceipt receipt, string message, int notified, int clients) => new(
        Status: "success",
        Message: message,
        Timestamp: HeraldTime.ToWire(receipt.Timestamp),
        WebhooksNotified: notified,
        TotalWebhooks: receipt.Subscribers.Count,
        Clients: clients,
        Id: receipt.Seq,
        Topic: receipt.Topic,
        Duplicate: receipt.Duplicate ? true : null,
        Warning: receipt.Unconfirmed);
}

/// <summary>What a checked push appends: its message, and the compact JSON of its data object when it carried one.</summary>
internal sealed record PushContent(string Message, string? Data);
