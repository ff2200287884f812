using Herald.Application.Channels;
using Herald.Contracts;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Api;

/// <summary>The routes of <see cref="ChannelQueries"/>: channels (topics) and their messages, read back from the log.</summary>
public static class ChannelsApi
{
    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/channels").RequireScope(ApiScopes.Read);
        api.MapGet("/", StatsAsync).WithName("ChannelStats");
        api.MapGet("/messages", MessagesAsync).WithName("RecentMessages");
        return routes;
    }

    private static Task<Results<Ok<ChannelStatsResponse>, ProblemHttpResult>> StatsAsync(string? hours, ChannelQueries channels, CancellationToken cancellationToken) =>
        channels.StatsAsync(hours, cancellationToken).ToHttp();

    private static Task<Results<Ok<ChannelMessagesResponse>, ProblemHttpResult>> MessagesAsync(
        string? channel, string? limit, ChannelQueries channels, CancellationToken cancellationToken) =>
        channels.MessagesAsync(channel, limit, cancellationToken).ToHttp();
}
