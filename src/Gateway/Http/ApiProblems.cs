using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Http;

/// <summary>
/// Every API error is RFC 9457 problem JSON with an <c>error</c> string a person can read; field errors also
/// carry <c>errors: {field: [message]}</c> as ASP.NET Core's validation problems do.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult Field(string field, string message) => Fields(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Fields(IDictionary<string, string[]> errors)
    {
        var detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Invalid request",
            Detail = detail,
        };
        problem.Extensions["error"] = detail;
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult Status(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?> { ["error"] = detail };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
                all[key] = value;
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: all);
    }

    public static ProblemHttpResult NotFound(string detail) => Status(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult TooLarge(int limit) =>
        Status(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body exceeds the limit of {limit} bytes.");
}
