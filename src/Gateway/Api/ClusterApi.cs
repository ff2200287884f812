using Herald.Gateway.Security;
using Herald.Infrastructure.Cluster;
using Herald.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Api;

/// <summary><c>GET /api/cluster</c>: the silos as Orleans membership sees them, with their heartbeats, webhook grains, storage backlogs and SSE connections.</summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api").MapGet("/cluster", async Task<Ok<ClusterSnapshot>> (ClusterView view, CancellationToken cancellationToken) =>
            TypedResults.Ok(await view.GetAsync(cancellationToken))).WithName("Cluster").RequireScope(ApiScopes.Read);
        return routes;
    }
}
