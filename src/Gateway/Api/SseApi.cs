using System.Globalization;
using Herald.Application;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Gateway.Sse;
using Herald.MessageLog;
using Herald.Infrastructure.Security;
using Herald.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary><c>GET /stream</c>: Server-Sent Events with topic filters and Last-Event-ID replay.</summary>
public static class SseApi
{
    public static IEndpointRouteBuilder MapSseApi(this IEndpointRouteBuilder routes)
    {
        // The per-client limit counts /api calls only; opting out here also keeps the limiter's frame and lease off
        // every open stream. A plain request delegate, with no parameter binding or endpoint filter: their state
        // would stay on the heap for as long as each stream is open.
        routes.MapGet("/stream", StreamAsync).WithName("Stream").DisableRateLimiting();
        routes.MapPost("/api/stream/disconnect", Disconnect).WithName("DisconnectListeners").RequireScope(ApiScopes.Manage);
        return routes;
    }

    private static Ok<DisconnectResponse> Disconnect(SseHub hub, ILogger<SseHub> logger)
    {
        var count = hub.DisconnectAll();
        GatewayLogMessages.SseDisconnectedByOperator(logger, count);
        return TypedResults.Ok(new DisconnectResponse(count));
    }

    private static Task StreamAsync(HttpContext context) =>
        Refusal(context) is { } refusal ? refusal.ExecuteAsync(context) : StreamAsync(context, context.RequestServices);

    private static IResult? Refusal(HttpContext context)
    {
        if (ScopeFilter.Refusal(context, ApiScopes.Stream, allowQueryToken: true) is { } refusal)
            return refusal;
        var limits = context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value;
        var patterns = Patterns(context);
        if (RequestRules.TopicPatterns(patterns, limits) is { } topicError)
            return ApiProblems.Field("topic", topicError);
        if (Format(context) is null)
            return ApiProblems.Field("format", "must be 'text' (data: [timestamp] message) or 'json' (one object with id, topic, timestamp and message)");
        if (LastEventIdText(context) is { } text && !string.IsNullOrWhiteSpace(text) && !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return ApiProblems.Field("Last-Event-ID", "must be a message id (a non-negative integer) this stream sent");
        return null;
    }

    private static string[] Patterns(HttpContext context) =>
        context.Request.Query["topic"]
            .SelectMany(value => (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();

    private static SseFormat? Format(HttpContext context) => context.Request.Query["format"].FirstOrDefault()?.ToLowerInvariant() switch
    {
        null or "" or "text" => SseFormat.Text,
        "json" => SseFormat.Json,
        _ => null,
    };

    private static string? LastEventIdText(HttpContext context) =>
        context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? context.Request.Query["lastEventId"].FirstOrDefault();

    /// <summary>The stream itself, once the request is known to be valid.</summary>
    private static async Task StreamAsync(HttpContext context, IServiceProvider services)
    {
        var hub = services.GetRequiredService<SseHub>();
        var admission = services.GetRequiredService<SseAdmission>();
        var log = services.GetRequiredService<IMessageLog>();
        var time = services.GetRequiredService<TimeProvider>();
        var sseOptions = services.GetRequiredService<IOptions<SseOptions>>();
        var logger = services.GetRequiredService<ILogger<SseHub>>();
        var metrics = services.GetRequiredService<SseMetrics>();
        var patterns = Patterns(context);
        var format = Format(context) ?? SseFormat.Text;
        long? lastEventId = LastEventIdText(context) is { } text && !string.IsNullOrWhiteSpace(text)
            ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : null;

        var options = sseOptions.Value;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!admission.TryReserve(client))
        {
            context.Response.Headers.RetryAfter = "5";
            await ApiProblems.Status(StatusCodes.Status429TooManyRequests, "Too many listeners",
                $"This gateway serves at most {options.MaxConnections} SSE listeners, {options.MaxConnectionsPerIp} per client address; retry later.").ExecuteAsync(context);
            return;
        }

        var filter = TopicFilter.From(patterns);
        var cancellationToken = context.RequestAborted;
        var response = context.Response;
        response.Headers.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var connection = new SseConnection(filter, format, options.BufferCapacity, context.Abort);
        try
        {
            var attachedAt = await hub.AttachAsync(connection, cancellationToken);
            GatewayLogMessages.SseConnected(logger, lastEventId, hub.ConnectionCount);
            metrics.Opened(resuming: lastEventId is not null);
            var greeting = format == SseFormat.Json
                ? SseFrames.ConnectedJson(options.RetryMilliseconds, time.GetUtcNow())
                : SseFrames.Connected(options.RetryMilliseconds, time.GetUtcNow());
            await response.Body.WriteAsync(greeting, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            var skipThrough = lastEventId is { } after
                ? await ReplayAsync(response, log, filter, format, after, attachedAt, options.ReplayBatchSize, metrics, cancellationToken)
                : 0;

            // A listener that goes away ends the wait the same way a close does.
            using var closeOnAbort = cancellationToken.UnsafeRegister(static state => ((SseConnection)state!).Close(), connection);
            while (await connection.WaitToReadAsync())
            {
                var messages = 0;
                while (connection.TryRead(out var frame))
                {
                    if (frame.Seq == 0 || frame.Seq > skipThrough)
                    {
                        await response.Body.WriteAsync(frame.Bytes, cancellationToken);
                        messages += frame.Seq == 0 ? 0 : 1;
                    }
                }

                await response.Body.FlushAsync(cancellationToken);
                metrics.Sent(messages);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The listener went away.
        }
        catch (Exception exception) when (response.HasStarted && StorageErrors.IsUnavailable(exception))
        {
            // The log cannot be read (PostgreSQL restarting) after the stream began, so no error status can be sent:
            // the stream ends, and the listener reconnects after its retry interval with its Last-Event-ID.
            GatewayLogMessages.SseEndedByStorage(logger, exception.GetBaseException().Message);
        }
        finally
        {
            hub.Detach(connection);
            admission.Release(client);
            if (connection.Overflowed)
            {
                GatewayLogMessages.SseOverflow(logger, options.BufferCapacity);
                metrics.Overflowed();
            }
        }
    }

    /// <summary>
    /// Writes the listener's gap, (after, upTo], from the log; live frames take over after upTo. Returns the
    /// sequence up to which live frames must be skipped because the listener already has them.
    /// </summary>
    private static async Task<long> ReplayAsync(HttpResponse response, IMessageLog log, TopicFilter filter, SseFormat format, long after, long upTo, int batchSize, SseMetrics metrics, CancellationToken cancellationToken)
    {
        if (after > upTo)
        {
            // This gateway's hub may simply be behind the one that served the id: then skip what the client has.
            // An id beyond the log's head means the log restarted, or the id came from another deployment.
            if (after <= (await log.GetBoundsAsync(cancellationToken)).Head)
                return after;
            await response.Body.WriteAsync(SseFrames.Reset("unknown last event id; the log restarted", after, upTo + 1), cancellationToken);
            return 0;
        }

        var cursor = after;
        while (cursor < upTo)
        {
            var batch = await log.ReadAsync(cursor, batchSize, cancellationToken);
            var first = batch.Count > 0 ? batch[0].Seq : upTo + 1;

            // Only the pruned part of a hole is lost; the rest are sequence numbers that rolled-back appends took.
            if (first > cursor + 1 && (await log.GetBoundsAsync(cancellationToken)).FirstRetained is var retained && retained > cursor + 1)
                await response.Body.WriteAsync(SseFrames.Reset("the requested replay is older than retention", after, Math.Min(Math.Min(first, retained), upTo + 1)), cancellationToken);
            if (batch.Count == 0)
                break;

            var replayed = 0;
            foreach (var message in batch)
            {
                if (message.Seq > upTo)
                    break;
                if (filter.Matches(message.Topic))
                {
                    await response.Body.WriteAsync(SseFrames.Message(message, format), cancellationToken);
                    replayed++;
                }

                cursor = message.Seq;
            }

            await response.Body.FlushAsync(cancellationToken);
            metrics.Replayed(replayed);
            if (batch[^1].Seq >= upTo)
                break;
        }

        return 0;
    }
}
