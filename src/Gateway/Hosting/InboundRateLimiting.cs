using System.Globalization;
using System.Threading.RateLimiting;
using Herald.Gateway.Api;
using Herald.Gateway.Http;
using Herald.Gateway.Security;
using Herald.Grains.Inbound;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Hosting;

/// <summary>
/// Rate limits: per API client on <c>/api</c> (<c>Herald:Limits:RequestsPerMinute</c>), and a fixed window per inbound
/// source (<c>PermitsPerMinute</c>). Over either, 429 with <c>Retry-After</c>.
/// </summary>
public static class InboundRateLimiting
{
    private const string UnknownPartition = "(unknown source)";

    public static IServiceCollection AddInboundRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiProblemWriter.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This source's rate limit is reached; retry in {seconds} s.", cancellationToken);
            };
            // Every /api call counts against its client: the API key's name when one is sent, else the IP address.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!context.Request.Path.StartsWithSegments("/api"))
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                var key = context.RequestServices.GetRequiredService<ApiKeyAuthenticator>().Authenticate(context.Request, allowQueryToken: false);
                var client = key is not null ? "key:" + key.Name : "ip:" + context.Connection.RemoteIpAddress;
                var permits = context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.RequestsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter($"{client}:{permits}", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            options.AddPolicy(InboundApi.RateLimitPolicy, context =>
            {
                var source = (context.GetRouteValue("source") as string ?? string.Empty).ToLowerInvariant();
                var inbound = context.RequestServices.GetRequiredService<IOptionsMonitor<InboundOptions>>().CurrentValue;

                // One partition per configured source; unknown sources share one, so URLs cannot mint partitions.
                var settings = inbound.Sources.TryGetValue(source, out var configured) ? configured : null;
                var permits = settings?.PermitsPerMinute ?? InboundApi.Resolve(inbound, source)?.PermitsPerMinute ?? new InboundSourceOptions().PermitsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter($"{(settings is null ? UnknownPartition : source)}:{permits}", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
}
