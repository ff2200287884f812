using Herald.Application;

namespace Herald.Gateway.Http;

/// <summary>
/// Refuses a query string that decodes to a NUL (U+0000) anywhere, naming the parameter. No parameter of Herald's
/// takes one, and PostgreSQL text cannot hold one, so without this guard a <c>?source=%00</c> would reach the
/// database and fail there instead of being answered as bad input.
/// </summary>
public static class NulQueryGuard
{
    public static IApplicationBuilder UseNulQueryGuard(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        if (!context.Request.QueryString.HasValue)
            return next(context);
        foreach (var (name, values) in context.Request.Query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                var field = name.Replace("\0", "\\u0000", StringComparison.Ordinal);
                return ApiProblems.Field(field, RequestRules.NulError).ExecuteAsync(context);
            }
        }

        return next(context);
    });
}
