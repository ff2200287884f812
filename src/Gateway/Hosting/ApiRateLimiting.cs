using System.Globalization;
using System.Threading.RateLimiting;
using Herald.Application;
using Herald.Gateway.Api;
using Herald.Gateway.Http;
using Herald.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace Herald.Gateway.Hosting;

/// <summary>
/// The rate limit per API client on <c>/api</c> (<c>Herald:Limits:RequestsPerMinute</c>): 429 with <c>Retry-After</c>.
/// Inbound webhooks have budgets of their own (<see cref="InboundLimits"/>).
/// </summary>
public static class ApiRateLimiting
{
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services) =>
        services.AddSingleton<InboundLimits>().AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiProblemWriter.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This client's rate limit is reached; retry in {seconds} s.", cancellationToken);
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
        });
}
