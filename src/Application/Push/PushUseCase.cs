using System.Text.Encodings.Web;
using System.Text.Json;
using Herald.Contracts;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Application.Push;

/// <summary>
/// A push: checked, appended once through its topic's broadcaster, and answered with what it reached. A database
/// append that fails names an idempotency key to retry with, in case the database committed it while the answer was lost.
/// </summary>
public sealed class PushUseCase(PushRetries retries, ClusterView cluster, IOptions<LimitsOptions> limits)
{
    /// <summary>The HTTP header, and the term in every answer, for the key that makes a retried push safe.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    // Compact, and readable in SSE's text format: only what JSON requires is escaped.
    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// What a push of <paramref name="message"/> and <paramref name="data"/> on <paramref name="topic"/> appends, or
    /// why it is refused. Without a message, the data's compact JSON is the message (what SSE's text format shows).
    /// </summary>
    public Outcome<PushContent> Check(string? message, string? topic, JsonElement? data)
    {
        var settings = limits.Value;
        string? json = null;
        if (data is { ValueKind: not JsonValueKind.Null } given)
        {
            if (given.ValueKind != JsonValueKind.Object)
                return UseCaseError.Field("data", $"must be a JSON object, not {given.ValueKind.ToString().ToLowerInvariant()}");
            if (RequestRules.HasUnpairedSurrogate(given))
                return UseCaseError.Field("data", "contains a string with an unpaired UTF-16 surrogate escape (such as \\ud800)");
            json = JsonSerializer.Serialize(given, CompactJson);
            if (json.Length > settings.MaxMessageLength)
                return UseCaseError.Field("data", $"must be at most {settings.MaxMessageLength} characters as JSON");
        }

        if (string.IsNullOrEmpty(message) && json is null)
            return UseCaseError.Field("message", "is required and must not be empty (or send a JSON object as data)");
        message = string.IsNullOrEmpty(message) ? json! : message;
        if (message.Length > settings.MaxMessageLength)
            return UseCaseError.Field("message", $"must be at most {settings.MaxMessageLength} characters");
        return RequestRules.PushTopic(topic) is { } topicError ? UseCaseError.Field("topic", topicError) : new PushContent(message, json);
    }

    /// <summary>
    /// Appends a checked push through the topic's broadcaster; <paramref name="outcomes"/> hears the first attempts.
    /// Gives the receipt, or the refusal: storage unavailable or the cluster re-routing (nothing appended, 503), or an
    /// idempotency key reused for another message (409).
    /// </summary>
    public async Task<Outcome<PushReceipt>> AppendAsync(PushContent content, string? topic, string? givenKey, IFirstAttemptObserver? outcomes)
    {
        var message = content.Message;
        topic ??= TopicFilter.DefaultTopic;
        // Only a database append can fail with its outcome unknown; then the 503 names a key to retry with. An
        // in-memory append cannot, so it needs no key (and keeps none in memory) unless the client sent one.
        var idempotencyKey = !string.IsNullOrEmpty(givenKey) ? givenKey : cluster.IsCluster ? "herald_" + Guid.CreateVersion7().ToString("N") : null;
        var retryWith = new Dictionary<string, object?> { ["idempotency_key"] = idempotencyKey };
        PushReceipt receipt;
        try
        {
            receipt = await retries.PushAsync(new PushCommand(topic, message, idempotencyKey, outcomes, content.Data));
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
        {
            // A local file answers for certain: nothing was committed, so a plain retry is safe.
            return cluster.IsCluster
                ? UseCaseError.Unavailable(
                    $"PostgreSQL is unreachable, so the push was not accepted. Retry shortly with the header {IdempotencyKeyHeader}: {idempotencyKey} " +
                    "(should the database have committed it while the answer was lost, that retry answers with the message instead of pushing it twice).", retryWith)
                : UseCaseError.Unavailable(
                    $"Herald's data file cannot be written ({exception.GetBaseException().Message}), so the push was not accepted. Retry once it can be.");
        }
        catch (Exception exception) when (ClusterErrors.IsTransient(exception) || exception is OperationCanceledException)
        {
            return UseCaseError.Unavailable(
                $"A Herald process left or joined the cluster and the push could not be routed within {PushRetries.Window.TotalSeconds:0} s. " +
                $"Retry shortly with the header {IdempotencyKeyHeader}: {idempotencyKey} (should it have been appended after all, that retry answers with it instead of pushing it twice).",
                retryWith);
        }

        if (receipt.Duplicate && (receipt.Topic != topic || receipt.Message != message))
        {
            return UseCaseError.Conflict("Idempotency key reused",
                $"The {IdempotencyKeyHeader} '{idempotencyKey}' was used for a different push (message {receipt.Seq}); use a new key for a new message.",
                new Dictionary<string, object?> { ["id"] = receipt.Seq });
        }

        return receipt;
    }

    /// <summary>The answer to a push taken: <paramref name="notified"/> first attempts succeeded, and the SSE listeners it reached now.</summary>
    public PushResponse Answer(PushReceipt receipt, string message, int notified) => new(
        Status: "success",
        Message: message,
        Timestamp: HeraldTime.ToWire(receipt.Timestamp),
        WebhooksNotified: notified,
        TotalWebhooks: receipt.Subscribers.Count,
        Clients: cluster.CountClients(receipt.Topic),
        Id: receipt.Seq,
        Topic: receipt.Topic,
        Duplicate: receipt.Duplicate ? true : null,
        Warning: receipt.Unconfirmed);
}
