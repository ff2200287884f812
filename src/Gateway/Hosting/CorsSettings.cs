namespace Herald.Gateway.Hosting;

/// <summary>Allowed CORS origins, bound from <c>Herald:Cors</c>. None configured, or <c>*</c>, allows any origin.</summary>
public sealed class CorsSettings
{
    public const string Section = "Herald:Cors";

    // Empty by default: the configuration binder appends to a non-empty default array instead of replacing it.
    public string[] Origins { get; set; } = [];

    public bool AllowsAnyOrigin => Origins.Length == 0 || Origins.Contains("*");
}
