using Herald.Gateway.Security;
using Herald.Contracts;
using Herald.Gateway.Hosting;
using Herald.Gateway.Http;
using Herald.Silo.Cluster;
using Herald.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

public static class PushApi
{
    public static IEndpointRouteBuilder MapPushApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api").MapPost("/push", PushAsync).WithName("Push").RequireScope(ApiScopes.Push);
        return routes;
    }

    /// <summary>
    /// Appends the message once and fans it out. By default waits for first attempts (up to the delivery
    /// timeout) and answers 200; with <c>"wait": false</c> answers 202 as soon as the message is in the log.
    /// </summary>
    private static async Task<Results<Ok<PushResponse>, Accepted<PushResponse>, ProblemHttpResult>> PushAsync(
        HttpRequest request, IGrainFactory grains, ClusterView cluster, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<PushRequest>(request, limits.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;

        if (string.IsNullOrEmpty(body!.Message))
            return ApiProblems.Field("message", "is required and must not be empty");
        if (body.Message.Length > limits.Value.MaxMessageLength)
            return ApiProblems.Field("message", $"must be at most {limits.Value.MaxMessageLength} characters");
        if (RequestRules.NoNul(body.Message) is { } nulError)
            return ApiProblems.Field("message", nulError);
        if (RequestRules.Topic(body.Topic) is { } topicError)
            return ApiProblems.Field("topic", topicError);

        var wait = body.Wait ?? true;
        var topic = body.Topic ?? TopicFilter.DefaultTopic;
        var receipt = await grains.GetGrain<IBroadcasterGrain>(topic).PushAsync(new PushCommand(topic, body.Message, wait));

        var response = new PushResponse(
            Status: "success",
            Message: body.Message,
            Timestamp: HeraldTime.ToWire(receipt.Timestamp),
            WebhooksNotified: receipt.WebhooksNotified,
            TotalWebhooks: receipt.TotalWebhooks,
            Clients: await cluster.CountClientsAsync(cancellationToken),
            Id: receipt.Seq,
            Topic: receipt.Topic);
        return wait ? TypedResults.Ok(response) : TypedResults.Accepted((string?)null, response);
    }
}
