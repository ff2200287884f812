namespace Herald.Gateway.Hosting;

/// <summary>
/// Allowed CORS origins, bound from <c>Herald:Cors</c>. <c>*</c> allows any origin; none configured allows any origin
/// in embedded mode and none in cluster mode.
/// </summary>
public sealed class CorsSettings
{
    public const string Section = "Herald:Cors";

    // Empty by default: the configuration binder appends to a non-empty default array instead of replacing it.
    public string[] Origins { get; set; } = [];

}
