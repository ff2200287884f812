using Herald.Application;
using Herald.Application.Push;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Delivery;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary>The route of <see cref="PushUseCase"/>: <c>POST /api/push</c>.</summary>
public static class PushApi
{
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
        HttpRequest request, IGrainFactory grains, PushUseCase push, IOptions<LimitsOptions> limits, IOptions<DeliveryOptions> delivery,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<PushRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;

        var checkedContent = push.Check(body!.Message, body.Topic, body.Data);
        if (checkedContent is not { Value: { } content })
            return checkedContent.Error!.ToProblem();
        const string keyHeader = PushUseCase.IdempotencyKeyHeader;
        var givenKey = request.Headers[keyHeader].ToString();
        if (request.Headers[keyHeader].Count > 1 || givenKey.Length > MaxIdempotencyKeyLength || (request.Headers.ContainsKey(keyHeader) && string.IsNullOrWhiteSpace(givenKey)))
            return ApiProblems.Field(keyHeader, $"must be one non-empty value of at most {MaxIdempotencyKeyLength} characters, such as a UUID");

        var wait = body.Wait ?? true;
        using var watch = wait ? new FirstAttemptWatch(grains) : null;
        var appended = await push.AppendAsync(content, body.Topic, givenKey, watch?.Observer);
        if (appended is not { Value: { } receipt })
        {
            if (appended.Error!.Kind == UseCaseErrorKind.Unavailable)
                request.HttpContext.Response.Headers.RetryAfter = "1";
            return appended.Error.ToProblem();
        }

        var notified = watch is not null && receipt.AwaitsFirstAttempts
            ? await watch.WaitAsync(receipt.Seq, receipt.Subscribers, delivery.Value.Timeout)
            : 0;
        var response = push.Answer(receipt, content.Message, notified);
        return wait && receipt.Unconfirmed is null ? TypedResults.Ok(response) : TypedResults.Accepted((string?)null, response);
    }
}
