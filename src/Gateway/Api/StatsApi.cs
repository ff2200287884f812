using Herald.Gateway.Security;
using Herald.Gateway.Stats;
using Herald.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Api;

/// <summary><c>GET /api/stats/rates</c>: pushes, deliveries and failures per second over the recent window, oldest first.</summary>
public static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/stats").MapGet("/rates", (RateHistory history, IOptions<RateOptions> options) =>
        {
            var settings = options.Value;
            return TypedResults.Ok(new RatesResponse(settings.SampleInterval.TotalSeconds, settings.Window.TotalSeconds, history.Samples));
        }).WithName("Rates").RequireScope(ApiScopes.Read);
        return routes;
    }
}

public sealed record RatesResponse(double IntervalSeconds, double WindowSeconds, IReadOnlyList<RateSample> Samples);
