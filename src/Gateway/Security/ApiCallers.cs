using Herald.Contracts;
using Herald.Infrastructure.Security;

namespace Herald.Gateway.Security;

/// <summary>The caller a checked key proves, and where an HTTP request keeps it.</summary>
public static class ApiCallers
{
    /// <summary>Where the HTTP request's caller is kept once its key is checked.</summary>
    public const string Item = "herald.caller";

    public static ApiCaller From(ApiKeyCheck check) => check.KeyName is { } name ? new ApiCaller(name, check.Scopes.Contains(ApiScopes.Manage)) : ApiCaller.Open;

    /// <summary>The caller of an HTTP request whose route checked its key.</summary>
    public static ApiCaller Of(HttpContext http) => http.Items[Item] as ApiCaller ?? ApiCaller.Open;
}
