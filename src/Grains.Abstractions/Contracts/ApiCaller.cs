namespace Herald.Contracts;

/// <summary>
/// Who made a call, for what belongs to a caller (event subscriptions): the name of its API key, and whether that key
/// may manage everyone's. While a hub has no keys, every caller is the one <see cref="Open"/> caller, as in WebhookMCP
/// and WebstreamMCP, the servers Herald replaces.
/// </summary>
[GenerateSerializer, Immutable, Alias("Herald.ApiCaller")]
public sealed record ApiCaller(string Owner, bool Manages)
{
    public static readonly ApiCaller Open = new(string.Empty, Manages: true);
}
