using Herald.Silo.Security;

namespace Herald.Gateway.Security;

/// <summary>
/// Who made a call, for what belongs to a caller (event subscriptions): the name of its API key, and whether that key
/// may manage everyone's. While a hub has no keys, every caller is the one <see cref="Open"/> caller, as in WebhookMCP and WebstreamMCP, the servers Herald replaces.
/// </summary>
public sealed record ApiCaller(string Owner, bool Manages)
{
    public static readonly ApiCaller Open = new(string.Empty, Manages: true);

    /// <summary>Where the HTTP request's caller is kept once its key is checked.</summary>
    public const string Item = "herald.caller";

    public static ApiCaller From(ApiKeyCheck check) => check.KeyName is { } name ? new ApiCaller(name, check.Scopes.Contains(ApiScopes.Manage)) : Open;

    /// <summary>The caller of an HTTP request whose route checked its key.</summary>
    public static ApiCaller Of(HttpContext http) => http.Items[Item] as ApiCaller ?? Open;
}
