using Herald.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Http;

/// <summary>A use case's outcome as REST answers it: its value with 200, or its error as problem JSON.</summary>
public static class OutcomeResults
{
    public static async Task<Results<Ok<T>, ProblemHttpResult>> ToHttp<T>(this Task<Outcome<T>> outcome) => (await outcome).ToHttp();

    public static Results<Ok<T>, ProblemHttpResult> ToHttp<T>(this Outcome<T> outcome) =>
        outcome.Error is { } error ? error.ToProblem() : TypedResults.Ok(outcome.Value!);

    public static ProblemHttpResult ToProblem(this UseCaseError error) =>
        error is { Kind: UseCaseErrorKind.Invalid, Fields: { } fields }
            ? ApiProblems.Fields(fields.ToDictionary())
            : ApiProblems.Status((int)error.Kind, error.Title, error.Detail, error.Extensions?.ToDictionary());
}
