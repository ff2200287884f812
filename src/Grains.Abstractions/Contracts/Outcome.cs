namespace Herald.Contracts;

/// <summary>
/// What a use case answers: its result, or the <see cref="UseCaseError"/> that says why there is none. REST turns it
/// into a status and a body, the entry grain carries it to Orleans clients as it is, and the MCP tools read either.
/// </summary>
[GenerateSerializer, Immutable, Alias("Herald.Outcome`1")]
public sealed record Outcome<T>
{
    [Id(0)]
    public T? Value { get; init; }

    [Id(1)]
    public UseCaseError? Error { get; init; }

    public static implicit operator Outcome<T>(T value) => new() { Value = value };

    public static implicit operator Outcome<T>(UseCaseError error) => new() { Error = error };
}

/// <summary>
/// Why a use case gave no result: what kind of refusal it is, what a person should read about it, the fields at fault,
/// and what a program needs to act on it (the endpoint that holds a URL already, the key to retry a push with).
/// </summary>
[GenerateSerializer, Immutable, Alias("Herald.UseCaseError")]
public sealed record UseCaseError(
    [property: Id(0)] UseCaseErrorKind Kind,
    [property: Id(1)] string Title,
    [property: Id(2)] string Detail,
    [property: Id(3)] IReadOnlyDictionary<string, string[]>? Fields = null,
    [property: Id(4)] IReadOnlyDictionary<string, object?>? Extensions = null)
{
    /// <summary>One field of the request is wrong.</summary>
    public static UseCaseError Field(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Fields of the request are wrong, each with what is wrong with it.</summary>
    public static UseCaseError Invalid(IReadOnlyDictionary<string, string[]> fields) =>
        new(UseCaseErrorKind.Invalid, "Invalid request", string.Join("; ", fields.Select(f => $"{f.Key}: {string.Join(", ", f.Value)}")), fields);

    public static UseCaseError NotFound(string detail) => new(UseCaseErrorKind.NotFound, "Not found", detail);

    /// <summary>The request conflicts with what exists; <paramref name="extensions"/> name it (REST adds them to its problem JSON).</summary>
    public static UseCaseError Conflict(string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(UseCaseErrorKind.Conflict, title, detail, Extensions: extensions);

    public static UseCaseError Unavailable(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(UseCaseErrorKind.Unavailable, "Service unavailable", detail, Extensions: extensions);
}

/// <summary>The kinds of refusal; each value is the HTTP status REST answers it with.</summary>
[GenerateSerializer, Alias("Herald.UseCaseErrorKind")]
public enum UseCaseErrorKind
{
    Invalid = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    Conflict = 409,
    Unavailable = 503,
}
