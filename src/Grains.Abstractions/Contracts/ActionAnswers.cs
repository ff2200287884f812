
namespace Herald.Contracts;

[GenerateSerializer, Immutable, Alias("Herald.ActionListResponse")]
public sealed record ActionListResponse(IReadOnlyList<ActionView> Actions, int Count, int Pending, bool Truncated);

/// <summary><see cref="Status"/> is <c>completed</c>, or <c>already_completed</c> when an earlier call completed it.</summary>
[GenerateSerializer, Immutable, Alias("Herald.CompletionResponse")]
public sealed record CompletionResponse(string Status, ActionView Action);

[GenerateSerializer, Immutable, Alias("Herald.StripeEventView")]
public sealed record StripeEventView(EventResponse Event, IReadOnlyList<ActionView> Actions);

[GenerateSerializer, Immutable, Alias("Herald.StripeEventListResponse")]
public sealed record StripeEventListResponse(IReadOnlyList<StripeEventView> Events, int Count);
