using System.Text.Json;

namespace Herald.Silo.Cluster;

/// <summary>A grain call sent to the silo that hosts the grain.</summary>
public sealed record GrainCallRequest(string Interface, string Key, string Method, JsonElement[] Args);

/// <summary>The answer: the result, or an error; <see cref="NotHere"/> means "not mine, ask again".</summary>
public sealed record GrainCallResponse(JsonElement? Result, string? Error, bool NotHere);

/// <summary>A grain on another silo threw; the message is the remote exception's.</summary>
public sealed class RemoteGrainException(string message) : Exception(message);
