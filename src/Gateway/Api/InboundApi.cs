using System.Text;
using System.Text.Json;
using Herald.Application;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Grains.Inbound;
using Herald.Grains.Telemetry;
using Herald.Infrastructure.Storage;
using Herald.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>
/// <c>POST /webhook/{source}</c>: webhooks from the outside world. Verified per the source's scheme, stored once
/// per delivery id, appended to the log under <c>inbound.&lt;source&gt;</c>, and only then answered.
/// </summary>
public static class InboundApi
{
    // Unconfigured sources (accepted when AcceptUnknownSources is on) share one budget, so URLs cannot mint budgets.
    private const string UnconfiguredBudget = "(unconfigured source)";

    // Kept with the event so that people can see what arrived; signatures are deliberately left out.
    private static readonly string[] KeptHeaders =
    [
        "content-type", "user-agent", "x-github-event", "x-github-delivery", "x-github-hook-id", "webhook-id", "webhook-timestamp",
    ];

    public static IEndpointRouteBuilder MapInboundApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/webhook/{source}", ReceiveAsync).WithName("ReceiveWebhook");
        return routes;
    }

    /// <summary>The options of a source, or null when it is not configured and unknown sources are refused.</summary>
    public static InboundSourceOptions? Resolve(InboundOptions options, string source) =>
        options.Sources.TryGetValue(source, out var configured) ? configured
        : options.AcceptUnknownSources ? new InboundSourceOptions { Scheme = "none" }
        : null;

    private static async Task<Results<Accepted<InboundReceipt>, Ok<InboundReceipt>, ProblemHttpResult>> ReceiveAsync(
        string source, HttpRequest request, IOptionsMonitor<InboundOptions> options, IInboundEventStore store, IGrainFactory grains, TimeProvider time,
        InboundMetrics metrics, InboundLimits limits, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        source = source.ToLowerInvariant();
        var label = options.CurrentValue.Sources.ContainsKey(source) ? source : InboundMetrics.UnconfiguredSource;
        try
        {
            var result = await ReceiveCoreAsync(source, request, options, store, grains, time, limits, loggers, cancellationToken);

            // What no verified sender sends (no source, an oversized body, a bad signature) spends the client's own
            // budget; past it, such requests get 429. A verified delivery never draws on it, whoever else sent junk.
            if (result.Result is ProblemHttpResult { StatusCode: StatusCodes.Status401Unauthorized or StatusCodes.Status404NotFound or StatusCodes.Status413PayloadTooLarge } &&
                limits.Unverified(request.HttpContext.Connection.RemoteIpAddress, options.CurrentValue.UnverifiedPermitsPerMinute) is { } wait)
            {
                result = TooMany(request, wait, "This address has sent too many requests that failed verification or named no source");
            }

            metrics.Counted(label, result.Result switch
            {
                Accepted<InboundReceipt> => "received",
                Ok<InboundReceipt> => "duplicate",
                ProblemHttpResult { StatusCode: StatusCodes.Status401Unauthorized } => "unverified",
                ProblemHttpResult { StatusCode: StatusCodes.Status404NotFound } => "unknown_source",
                ProblemHttpResult { StatusCode: StatusCodes.Status429TooManyRequests } => "rate_limited",
                _ => "invalid",
            });
            return result;
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
        {
            metrics.Counted(label, "unavailable");
            throw;
        }
    }

    private static async Task<Results<Accepted<InboundReceipt>, Ok<InboundReceipt>, ProblemHttpResult>> ReceiveCoreAsync(
        string source, HttpRequest request, IOptionsMonitor<InboundOptions> options, IInboundEventStore store, IGrainFactory grains, TimeProvider time,
        InboundLimits limits, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!InboundOptions.IsSourceName(source) || Resolve(options.CurrentValue, source) is not { } settings)
        {
            return ApiProblems.NotFound(
                $"Unknown inbound source '{source}'. Configure it under Herald:Inbound:Sources:{source} (scheme github, stripe, standard, hmac or none).");
        }

        var (body, problem) = await RequestBody.ReadAsync(request, settings.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        VerificationResult verification;
        using (var verifying = HeraldTelemetry.Source.StartActivity("herald.inbound.verify"))
        {
            verification = InboundVerifier.Verify(settings, new InboundRequest(headers, body, time.GetUtcNow()));
            verifying?.SetTag("herald.inbound.source", source).SetTag("herald.inbound.verified", verification.Verified);
        }

        if (!verification.Verified)
            return ApiProblems.Status(StatusCodes.Status401Unauthorized, "Verification failed", verification.Error ?? "The request could not be verified.");

        var budget = options.CurrentValue.Sources.ContainsKey(source) ? source : UnconfiguredBudget;
        if (limits.Verified(budget, settings.PermitsPerMinute) is { } wait)
            return TooMany(request, wait, $"Source '{source}' has reached its limit of {settings.PermitsPerMinute} deliveries a minute (Herald:Inbound:Sources:{source}:PermitsPerMinute)");

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Span);
        }
        catch (DecoderFallbackException)
        {
            return ApiProblems.Field("body", "is not valid UTF-8");
        }

        if (text.Contains('\0', StringComparison.Ordinal))
            return ApiProblems.Field("body", "must not contain NUL (U+0000) characters");

        JsonElement? payload = null;
        try
        {
            if (text.Length > 0)
                payload = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException exception) when (settings.ShouldRequireJson)
        {
            return ApiProblems.Field("body", $"is not valid JSON ({exception.Message.Split(". ")[0]}); source '{source}' requires JSON");
        }
        catch (JsonException)
        {
            // Not JSON, and this source does not require it: stored as text.
        }

        if (settings.ShouldRequireJson && payload is null)
            return ApiProblems.Field("body", $"is empty; source '{source}' requires a JSON body");

        // Syntactically valid, but a string like "\ud800" cannot be turned into text; stored, it would break every
        // later read of the event, so it is refused here.
        if (payload is { } json && RequestRules.HasUnpairedSurrogate(json))
            return ApiProblems.Field("body", "contains a string with an unpaired UTF-16 surrogate escape (such as \\ud800)");

        var summary = InboundSummary.Build(settings.Scheme.ToLowerInvariant(), verification.Type, payload);
        var draft = new InboundEventDraft(
            source,
            verification.Type,
            verification.DeliveryId ?? "herald_" + Guid.CreateVersion7().ToString("N"),
            KeptHeaders.Concat([settings.IdHeader, settings.TypeHeader]).OfType<string>()
                .Where(headers.ContainsKey).Distinct(StringComparer.OrdinalIgnoreCase).ToDictionary(h => h.ToLowerInvariant(), h => headers[h]),
            text,
            summary.ToJsonString(),
            InboundSummary.Describe(source, verification.Type, summary));

        InboundEvent stored;
        bool created;
        using (var storing = HeraldTelemetry.Source.StartActivity("herald.inbound.store"))
        {
            (stored, created) = await store.AppendAsync(draft, cancellationToken);
            storing?.SetTag("herald.message.id", stored.Id).SetTag("herald.inbound.duplicate", !created);
        }

        if (created)
        {
            using var relaying = HeraldTelemetry.Source.StartActivity("herald.inbound.relay");
            await AnnounceAsync(grains, stored, draft, loggers.CreateLogger(typeof(InboundApi)));
        }
        return created
            ? TypedResults.Accepted($"/api/events/{stored.Id}", new InboundReceipt("received", stored.Id))
            : TypedResults.Ok(new InboundReceipt("duplicate", stored.Id));
    }

    private static ProblemHttpResult TooMany(HttpRequest request, TimeSpan wait, string why)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiProblems.Status(StatusCodes.Status429TooManyRequests, "Too many requests", $"{why}; retry in {seconds} s.");
    }

    /// <summary>
    /// Wakes the webhooks subscribed to the event's topic and announces it to SSE listeners. The event is stored by
    /// now: a failure here must not turn the answer into an error (the sender would only send a duplicate), and the
    /// sweep finds the subscribers this missed.
    /// </summary>
    private static async Task AnnounceAsync(IGrainFactory grains, InboundEvent stored, InboundEventDraft draft, ILogger logger)
    {
        var topic = TopicFilter.InboundPrefix + stored.Source;
        try
        {
            await grains.GetGrain<IBroadcasterGrain>(topic).FanOutAsync(new LogAppended(stored.Id, topic, draft.Message, stored.ReceivedAt, draft.Type, draft.Payload));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            GatewayLogMessages.InboundFanOutFailed(logger, exception, stored.Id);
            _ = grains.GetGrain<ISweepGrain>(0).RequestAsync($"waking the subscribers of inbound event {stored.Id} failed");
        }
    }
}

public sealed record InboundReceipt(string Status, long EventId);
