using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Herald.Contracts;
using Microsoft.Extensions.Options;

namespace Herald.Grains.Delivery;

/// <summary>Makes one signed delivery attempt and reports what happened; it never throws for an endpoint's failure.</summary>
public sealed class WebhookSender(DeliveryHttpClient http, IOptions<DeliveryOptions> options, TimeProvider time)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly TimeoutSourcePool _timeouts = new();

    // Runs off the grain scheduler (ConfigureAwait(false)): it touches no grain state, and hopping back per await would cost.
    public async Task<AttemptResult> SendAsync(EndpointDefinition endpoint, byte[]? signingKey, LogEntry message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new ReadOnlyMemoryContent(message.WebhookBody) { Headers = { ContentType = Json } },
        };
        foreach (var (name, value) in endpoint.Headers)
            request.Headers.TryAddWithoutValidation(name, value);

        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("webhook-id", message.WebhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        if (signingKey is not null)
            request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Sign(signingKey, message.WebhookId, timestamp, message.WebhookBody.Span));
        request.Headers.TryAddWithoutValidation("User-Agent", settings.UserAgent);

        var timeout = _timeouts.Rent();
        timeout.CancelAfter(settings.Timeout);
        var caller = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ReadPrefixAsync(response.Content, settings.ResponseCaptureBytes, timeout.Token, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var error = status is >= 200 and < 300 ? null : $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            return new AttemptResult(status, Elapsed(started), error, body, RetryAfter(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(null, Elapsed(started), $"Timed out after {settings.Timeout.TotalMilliseconds:0} ms", null, null);
        }
        catch (HttpRequestException exception) when (exception.InnerException is DeliveryBlockedException blocked)
        {
            return new AttemptResult(null, Elapsed(started), blocked.Message, null, null, Blocked: true);
        }
        catch (HttpRequestException exception)
        {
            return new AttemptResult(null, Elapsed(started), Describe(exception), null, null);
        }
        finally
        {
            // Unregistered first: once Dispose returns, the caller's cancellation can no longer reach the source.
            caller.Dispose();
            _timeouts.Return(timeout);
        }
    }

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static string Describe(HttpRequestException exception) =>
        exception.InnerException is { } inner ? $"{exception.Message} ({inner.Message})" : exception.Message;

    private static async Task<string?> ReadPrefixAsync(HttpContent content, int limit, CancellationToken cancellationToken, CancellationToken callerToken)
    {
        if (limit == 0)
            return null;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            // Pooled: every delivery reads a response, and most receivers answer with little or nothing. Cleared
            // on return, so one receiver's answer never lingers in the shared pool.
            var buffer = ArrayPool<byte>.Shared.Rent(limit);
            try
            {
                var read = 0;
                int n;
                while (read < limit && (n = await stream.ReadAsync(buffer.AsMemory(read, limit - read), cancellationToken).ConfigureAwait(false)) > 0)
                    read += n;
                // NUL cannot be stored in PostgreSQL text; the capture is for people to read anyway.
                return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read).Replace('\0', '\uFFFD');
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            // The status already arrived; a body cut short is recorded as what it is, not as a failed attempt.
            return "(response body unreadable: " + exception.Message + ")";
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            // Same: a receiver that answered 2xx and then stalled its body did accept the message.
            return "(response body not read: timed out)";
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (System.Net.HttpStatusCode.TooManyRequests or System.Net.HttpStatusCode.ServiceUnavailable))
            return null;
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
